// Package all imports every built-in plugin so they register with
// plugins/builtin (served by `netbeat plugin serve NAME`).
package all

import (
	_ "github.com/netbeat/netbeat/plugins/comment"
	_ "github.com/netbeat/netbeat/plugins/geoip"
	_ "github.com/netbeat/netbeat/plugins/group"
	_ "github.com/netbeat/netbeat/plugins/iprep"
	_ "github.com/netbeat/netbeat/plugins/timebucket"
)
