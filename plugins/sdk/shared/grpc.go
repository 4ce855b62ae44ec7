package shared

import (
	"context"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Processor is what a plugin process serves (plugins/sdk adapts an author's
// sdk.Processor to it). Configure is called once per process start, before
// any Process; Process is called for one batch at a time.
type Processor interface {
	Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error)
	Process(ctx context.Context, batch []*Event) ([]*Event, error)
}

const serviceName = "netbeat.plugin.v1.Processor"

var serviceDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*Processor)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "Configure", Handler: configureHandler},
		{MethodName: "Lookup", Handler: lookupHandler}}, // protocol 3
	Streams: []grpc.StreamDesc{{StreamName: "Process", Handler: processHandler,
		ServerStreams: true, ClientStreams: true}},
	Metadata: "netbeat/plugin/v1",
}

func configureHandler(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	req := new(ConfigureRequest)
	if err := dec(req); err != nil {
		return nil, err
	}
	resp, err := srv.(Processor).Configure(ctx, req)
	if s, ok := srv.(*server); ok && resp != nil {
		resp.keyed = s.keyed
	}
	return resp, err
}

// processHandler serves the bidirectional Process stream: one response
// batch for each request batch, in order.
func processHandler(srv any, stream grpc.ServerStream) error {
	p := srv.(Processor)
	var dict *EncDict
	if s, ok := srv.(*server); ok && s.dict {
		dict = NewEncDict()
	}
	for {
		req := new(Batch)
		if err := stream.RecvMsg(req); err != nil {
			return nil // host closed the stream
		}
		out, err := p.Process(stream.Context(), req.Events)
		resp := &Batch{Events: out, dict: dict}
		if err != nil {
			resp.Events, resp.Err = nil, err.Error()
		}
		if err := stream.SendMsg(resp); err != nil {
			return err
		}
	}
}

// ProcessorPlugin is the go-plugin adapter (gRPC only).
type ProcessorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl Processor // plugin side only
	Dict bool      // protocol 2: answers through the stream's dictionary
	// Keyed is protocol 3: the plugin may declare units (Configure) and
	// answers keyed lookups (Lookup).
	Keyed bool
}

type server struct {
	Processor
	dict  bool
	keyed bool
}

// GRPCServer registers the processor service.
func (p *ProcessorPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&serviceDesc, &server{Processor: p.Impl, dict: p.Dict, keyed: p.Keyed})
	return nil
}

// GRPCClient returns a *Client.
func (p *ProcessorPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &Client{conn: c, dict: p.Dict, keyed: p.Keyed}, nil
}

// Client is the host side of the processor service.
type Client struct {
	conn  *grpc.ClientConn
	dict  bool // protocol 2 negotiated
	keyed bool // protocol 3 negotiated
}

var callOpts = []grpc.CallOption{grpc.CallContentSubtype(CodecName)}

// Configure sends the plugin its configuration.
func (c *Client) Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
	resp := new(ConfigureResponse)
	err := c.conn.Invoke(ctx, "/"+serviceName+"/Configure", req, resp, callOpts...)
	return resp, err
}

// Stream is an open Process stream; it is not safe for concurrent use.
type Stream struct {
	cs     grpc.ClientStream
	cancel context.CancelFunc
	dict   *DecDict // protocol 2
}

// OpenStream opens a Process stream; Close releases it.
func (c *Client) OpenStream(ctx context.Context) (*Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	cs, err := c.conn.NewStream(ctx, &serviceDesc.Streams[0], "/"+serviceName+"/Process", callOpts...)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &Stream{cs: cs, cancel: cancel}
	if c.dict {
		s.dict = &DecDict{}
	}
	return s, nil
}

// Exchange sends one encoded batch and returns the plugin's answer
// undecoded (see RawBatch). A protocol 2 answer is checked here, in the
// order answers arrive, and its dictionary definitions recorded; a
// malformed one returns an error wrapping ErrWire.
func (s *Stream) Exchange(req *Encoded) (*RawBatch, error) {
	if err := s.cs.SendMsg(req); err != nil {
		return nil, err
	}
	resp := new(RawBatch)
	if err := s.cs.RecvMsg(resp); err != nil {
		return nil, err
	}
	if s.dict != nil && resp.Err == "" {
		resp.v2 = true
		if err := resp.scan(s.dict); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// Abort cancels the stream; unlike Close it is safe while Process runs in
// another goroutine (a hung plugin).
func (s *Stream) Abort() { s.cancel() }

// Close ends the stream; not concurrently with Process.
func (s *Stream) Close() {
	_ = s.cs.CloseSend()
	s.cancel()
}
