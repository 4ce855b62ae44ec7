package event

import "github.com/netbeat/netbeat/internal/jsonstr"

// appendString appends s as a JSON string (jsonstr.Append).
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s) }
