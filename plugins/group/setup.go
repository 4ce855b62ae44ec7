package group

import (
	"github.com/netbeat/netbeat/plugins/builtin"
	"github.com/netbeat/netbeat/plugins/sdk"
)

func init() { builtin.Register(Name, func() sdk.Processor { return &Group{} }) }
