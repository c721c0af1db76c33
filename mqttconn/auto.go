package mqttconn

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// impl is one protocol implementation behind the Client interface.
type impl interface {
	// start connects and subscribes before deadline; on failure nothing
	// keeps running and no Stopped state has been reported.
	start(ctx context.Context, deadline time.Time) error
	publish(ctx context.Context, req PublishRequest) PublishResult
	close()
}

// single is a Client on one fixed protocol.
type single struct {
	*common
	impl    impl
	started atomic.Bool
	once    sync.Once
}

func (s *single) Start(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("mqttconn: Start called twice")
	}
	s.state(State{Kind: StateConnecting, Attempt: 1})
	err := s.scrubErr(s.impl.start(ctx, time.Now().Add(s.opts.ConnectTimeout)))
	if err != nil {
		s.once.Do(func() { s.state(State{Kind: StateStopped, Err: err}) })
	}
	return err
}

func (s *single) Publish(ctx context.Context, req PublishRequest) PublishResult {
	if r, stop := s.checkPublish(&req); stop {
		return r
	}
	return s.impl.publish(ctx, req)
}

func (s *single) Close() error {
	s.once.Do(func() {
		s.impl.close()
		s.state(State{Kind: StateStopped, Protocol: s.Protocol()})
	})
	return nil
}

// autoClient tries MQTT 5 and falls back to 3.1.1 when the broker refuses
// the protocol version or hangs up during the MQTT 5 handshake.
type autoClient struct {
	*common
	mu      sync.Mutex
	impl    impl // the one that connected; nil before
	started bool
	closed  bool
}

func (a *autoClient) Start(ctx context.Context) error {
	a.mu.Lock()
	if a.started {
		a.mu.Unlock()
		return errors.New("mqttconn: Start called twice")
	}
	a.started = true
	a.mu.Unlock()

	deadline := time.Now().Add(a.opts.ConnectTimeout)
	a.state(State{Kind: StateConnecting, Attempt: 1})
	v5 := newV5(a.common)
	err := v5.start(ctx, deadline)
	if err == nil {
		return a.adopt(v5)
	}
	var ce *ConnectError
	if !errors.As(err, &ce) || !(ce.Kind == ErrUnsupportedProtocol || ce.closedEarly) {
		a.state(State{Kind: StateStopped, Err: err})
		return a.scrubErr(err)
	}
	a.state(State{Kind: StateConnecting, Attempt: 2, Protocol: string(Protocol311),
		Err: fmt.Errorf("MQTT 5 refused (%s): trying MQTT 3.1.1", ce.Detail)})
	v3 := newV311(a.common)
	err3 := v3.start(ctx, deadline)
	if err3 == nil {
		return a.adopt(v3)
	}
	var ce3 *ConnectError
	if errors.As(err3, &ce3) && ce3.closedEarly {
		ce3.Detail = "the broker closed the connection during the MQTT handshake, with MQTT 5 and with 3.1.1"
	}
	a.state(State{Kind: StateStopped, Err: err3})
	return a.scrubErr(err3)
}

// adopt keeps the connected implementation, unless Close won the race.
func (a *autoClient) adopt(i impl) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		i.close()
		return errors.New("mqttconn: closed while connecting")
	}
	a.impl = i
	return nil
}

func (a *autoClient) Publish(ctx context.Context, req PublishRequest) PublishResult {
	if r, stop := a.checkPublish(&req); stop {
		return r
	}
	a.mu.Lock()
	i := a.impl
	a.mu.Unlock()
	if i == nil {
		return offline()
	}
	return i.publish(ctx, req)
}

func (a *autoClient) Close() error {
	a.mu.Lock()
	i, was := a.impl, a.closed
	a.closed = true
	a.mu.Unlock()
	if was {
		return nil
	}
	if i != nil {
		i.close()
	}
	a.state(State{Kind: StateStopped, Protocol: a.Protocol()})
	return nil
}
