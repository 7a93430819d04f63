import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findEdgeHubDesired, validateEdgeHubDesired } from './index.js';

describe('validateEdgeHubDesired', () => {
  it('accepts string and object routes with schema 1.1', () => {
    const r = validateEdgeHubDesired({
      schemaVersion: '1.1.0',
      routes: {
        a: 'FROM /* INTO $upstream',
        b: { route: 'FROM /messages/* INTO $upstream', priority: 0, timeToLiveSecs: 60 },
        c: { route: 'FROM /messages/* INTO $upstream', timeToLiveSecs: 0 },
      },
      storeAndForwardConfiguration: { timeToLiveSecs: 7200 },
    });
    assert.equal(r.ok, true);
    assert.ok(r.ok);
    assert.equal(r.value.schemaVersion, '1.1');
    assert.deepEqual(r.value.routes, [
      { name: 'a', route: 'FROM /* INTO $upstream' },
      { name: 'b', route: 'FROM /messages/* INTO $upstream', priority: 0, timeToLiveSecs: 60 },
      { name: 'c', route: 'FROM /messages/* INTO $upstream' },
    ]);
    assert.deepEqual(r.value.storeAndForwardConfiguration, { timeToLiveSecs: 7200 });
  });

  it('refuses, with a path for each, what the reference skips or rejects', () => {
    const r = validateEdgeHubDesired({
      schemaVersion: '1.1',
      routes: {
        blank: '  ',
        pri: { route: 'FROM /* INTO $upstream', priority: 10 },
        num: 42,
        extra: { route: 'x', ttl: 3 },
      },
      storeAndForwardConfiguration: { timeToLiveSecs: 'long' },
    });
    assert.equal(r.ok, false);
    const paths = r.issues.map((i) => i.path);
    assert.deepEqual(paths, [
      '$edgeHub.properties.desired.routes.blank',
      '$edgeHub.properties.desired.routes.pri.priority',
      '$edgeHub.properties.desired.routes.num',
      '$edgeHub.properties.desired.routes.extra.ttl',
      '$edgeHub.properties.desired.storeAndForwardConfiguration.timeToLiveSecs',
    ]);
    assert.match(r.issues[1]!.message, /0 \(highest\) to 9/);
  });

  it('allows schema 1.0 without storeAndForwardConfiguration but not with route objects', () => {
    assert.equal(validateEdgeHubDesired({ schemaVersion: '1.0', routes: { r: 'FROM /* INTO $upstream' } }).ok, true);
    const r = validateEdgeHubDesired({ schemaVersion: '1.0', routes: { r: { route: 'FROM /* INTO $upstream' } } });
    assert.equal(r.ok, false);
    assert.match(r.issues[0]!.message, /need schemaVersion "1.1"/);
  });

  it('names missing or unsupported schema versions', () => {
    assert.match(validateEdgeHubDesired({ routes: {} }).issues[0]!.message, /schemaVersion is missing/);
    assert.match(
      validateEdgeHubDesired({ schemaVersion: '2.0', routes: {} }).issues[0]!.message,
      /unsupported schemaVersion "2.0"/,
    );
  });
});

describe('findEdgeHubDesired', () => {
  const desired = { schemaVersion: '1.1', routes: {} };
  it('finds the desired properties in every document shape', () => {
    assert.equal(
      findEdgeHubDesired({ modulesContent: { $edgeHub: { 'properties.desired': desired } } })?.value,
      desired,
    );
    assert.equal(
      findEdgeHubDesired({ content: { modulesContent: { $edgeHub: { 'properties.desired': desired } } } })?.path,
      'content.modulesContent.$edgeHub["properties.desired"]',
    );
    assert.equal(findEdgeHubDesired({ $edgeHub: { 'properties.desired': desired } })?.value, desired);
    assert.equal(findEdgeHubDesired(desired)?.value, desired);
    assert.equal(findEdgeHubDesired({ something: 1 }), undefined);
  });
});
