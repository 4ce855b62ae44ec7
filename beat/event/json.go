package event

import "github.com/netbeat/netbeat/plugins/sdk/jsonstr"

// AppendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD (as encoding/json).
func AppendString(b []byte, s string) []byte { return jsonstr.Append(b, s) }

func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s) }
