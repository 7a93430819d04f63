// Function names users bring from IoT Hub routing that the edge router does not have (reference §2.12).

const HUB_ONLY = 'is an IoT Hub routing function; the IoT Edge router does not have it';

export const UNSUPPORTED: Readonly<Record<string, string>> = {
  // Needs the built-in twin-change source, which edge routes never carry: always a compile error in the edge.
  twin_change_includes:
    'twin_change_includes only works in IoT Hub routes; at the edge, route FROM /twinChangeNotifications and test $body fields instead',
  is_object: `is_object ${HUB_ONLY}; test the fields you need, e.g. is_defined($body.a.b)`,
  is_array: `is_array ${HUB_ONLY}; index into it instead, e.g. is_defined($body.values[0])`,
  is_primitive: `is_primitive ${HUB_ONLY}; use is_string, is_number or is_bool`,
  get_date: `get_date ${HUB_ONLY}`,
  get_current_date: `get_current_date ${HUB_ONLY}`,
};
