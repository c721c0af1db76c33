package mqttconn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	pahomqtt "github.com/eclipse/paho.mqtt.golang"
)

// v311 is the MQTT 3.1.1 implementation on paho.mqtt.golang. Its own
// auto-reconnect is off: this type runs the loop so that back-off, jitter
// and "reconnecting in N s" work the same as for MQTT 5. Each connection
// gets a fresh paho client (paho.mqtt.golang warns against reusing one).
type v311 struct {
	c *common

	cur    atomic.Pointer[pahoClient]
	cancel context.CancelFunc
	done   chan struct{}
}

// pahoClient pairs a paho client with the channel its connection-lost
// handler signals.
type pahoClient struct {
	cli  pahomqtt.Client
	lost chan error
	conn atomic.Pointer[liveConn]
	ping pinger
}

func newV311(c *common) *v311 { return &v311{c: c, done: make(chan struct{})} }

// newClient makes the paho client for one attempt with the credentials
// and TLS configuration read for it.
func (v *v311) newClient(life context.Context, cr Credentials, tc *tls.Config) *pahoClient {
	o := &v.c.opts
	pc := &pahoClient{lost: make(chan error, 1)}
	po := pahomqtt.NewClientOptions()
	// The scheme is only a label: the custom dialer below decides.
	po.Servers = []*url.URL{{Scheme: "tcp", Host: v.c.broker.Addr()}}
	po.SetClientID(v.c.clientID)
	po.SetUsername(cr.Username)
	po.SetPassword(cr.Password)
	po.SetCleanSession(!v.c.persistent3)
	po.SetKeepAlive(keepalive311(o.KeepAlive)) // see keepalive.go
	po.SetPingTimeout(noPingTimeout)
	po.SetConnectTimeout(o.ConnectTimeout)
	po.SetWriteTimeout(DefaultPublishTimeout)
	po.SetAutoReconnect(false)
	po.SetConnectRetry(false)
	po.SetProtocolVersion(4)
	po.SetOrderMatters(true) // handler runs on one goroutine, in order, and acks after it
	po.SetDefaultPublishHandler(func(_ pahomqtt.Client, m pahomqtt.Message) { v.onMessage(pc, m) })
	po.SetCustomOpenConnectionFn(func(*url.URL, pahomqtt.ClientOptions) (net.Conn, error) {
		conn, err := dial(life, v.c.broker, tc, o.ConnectTimeout, false)
		if err != nil {
			return nil, err
		}
		lc := newLiveConn(conn, &pc.ping)
		pc.conn.Store(lc)
		return lc, nil
	})
	po.SetConnectionLostHandler(func(_ pahomqtt.Client, err error) {
		select {
		case pc.lost <- err:
		default:
		}
	})
	if w := o.Will; w != nil {
		po.SetBinaryWill(w.Topic, w.Payload, w.QoS, w.Retain)
	}
	pc.cli = pahomqtt.NewClient(po)
	return pc
}

// attempt reads the credentials and TLS files, as they are now, and makes
// one connection attempt; the error is classified. A zero deadline (a
// reconnect) gives the handshake ConnectTimeout after the credentials are
// read, as autopaho does for MQTT 5: a slow token command does not eat it.
func (v *v311) attempt(ctx, life context.Context, deadline time.Time) (*pahoClient, error) {
	credCtx, cancel := ctx, context.CancelFunc(func() {})
	if !deadline.IsZero() {
		credCtx, cancel = context.WithDeadline(ctx, deadline)
	}
	cr, err := v.c.attemptCredentials(credCtx)
	cancel()
	if err != nil {
		return nil, err
	}
	if deadline.IsZero() {
		deadline = time.Now().Add(v.c.opts.ConnectTimeout)
	}
	tc, err := v.c.attemptTLS()
	if err != nil {
		return nil, err
	}
	pc := v.newClient(life, cr, tc)
	return pc, v.connect(ctx, pc, deadline)
}

// connect makes one attempt and returns a classified error.
func (v *v311) connect(ctx context.Context, pc *pahoClient, deadline time.Time) error {
	tok := pc.cli.Connect()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-tok.Done():
	case <-timer.C:
		pc.cli.Disconnect(0)
		return classify(context.DeadlineExceeded, &v.c.opts, v.c.display, v.c.opts.ConnectTimeout)
	case <-ctx.Done():
		pc.cli.Disconnect(0)
		return classify(ctx.Err(), &v.c.opts, v.c.display, v.c.opts.ConnectTimeout)
	}
	err := tok.Error()
	if err == nil {
		return nil
	}
	if ct, ok := tok.(*pahomqtt.ConnectToken); ok {
		if rc := ct.ReturnCode(); rc > 0 && rc < 6 {
			err = &connackError{code: rc, v3: true}
		}
	}
	return classify(err, &v.c.opts, v.c.display, v.c.opts.ConnectTimeout)
}

func (v *v311) start(ctx context.Context, deadline time.Time) error {
	life, cancel := context.WithCancel(context.Background())
	v.cancel = cancel
	pc, err := v.attempt(ctx, life, deadline)
	if err != nil {
		cancel()
		close(v.done)
		return err
	}
	subbed := v.connected(life, pc)
	// As for MQTT 5: the SUBACK of a resumed session may queue behind its
	// backlog, so messages flowing ends the wait too.
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-subbed:
	case <-v.c.firstMsg:
	case <-timer.C:
	case <-ctx.Done():
	}
	go v.run(life, pc)
	return nil
}

// connected reports the new connection and subscribes; the returned
// channel closes once the SUBACK (or the connection's end) is in.
func (v *v311) connected(life context.Context, pc *pahoClient) <-chan struct{} {
	go v.keepalive(life, pc)
	v.cur.Store(pc)
	v.c.setProtocol(string(Protocol311))
	v.c.state(State{Kind: StateConnected, Protocol: string(Protocol311)})
	done := make(chan struct{})
	go func() {
		defer close(done)
		v.subscribe(pc)
	}()
	return done
}

// run waits for the connection to drop, then reconnects with back-off
// until close.
func (v *v311) run(life context.Context, pc *pahoClient) {
	defer close(v.done)
	for {
		var why error
		select {
		case why = <-pc.lost:
		case <-life.Done():
			return
		}
		v.cur.Store(nil)
		if why == nil {
			why = errors.New("connection lost")
		}
		why = droppedBy(why)
		for attempt := 0; ; attempt++ {
			d := v.c.retryDelay(attempt)
			v.c.state(State{Kind: StateReconnecting, RetryIn: d, Attempt: attempt + 1, Err: why})
			v.c.waitRetry(life.Done(), d)
			if life.Err() != nil {
				return
			}
			next, err := v.attempt(life, life, time.Time{})
			if err == nil {
				pc = next
				break
			}
			why = v.c.retryReason(err)
			if life.Err() != nil {
				return
			}
		}
		v.connected(life, pc)
	}
}

func (v *v311) subscribe(pc *pahoClient) {
	subs := v.c.opts.Subscriptions
	if len(subs) == 0 {
		return
	}
	filters := make(map[string]byte, len(subs))
	for _, s := range subs {
		filters[s.Filter] = s.QoS
	}
	tok := pc.cli.SubscribeMultiple(filters, nil)
	// No time limit while the connection lives: the SUBACK may queue
	// behind a backlog the consumer drains slowly (deliver waits).
	var ok bool
	if lc := pc.conn.Load(); lc != nil {
		select {
		case <-tok.Done():
			ok = true
		case <-lc.gone:
		}
	} else {
		ok = tok.WaitTimeout(DefaultPublishTimeout)
	}
	res := make([]SubResult, len(subs))
	var granted map[string]byte
	if st, isSub := tok.(*pahomqtt.SubscribeToken); isSub && ok && tok.Error() == nil {
		granted = st.Result()
	}
	for i, s := range subs {
		res[i].Filter = s.Filter
		code, have := granted[s.Filter]
		switch {
		case !ok:
			res[i].Err = errors.New("subscribe: the connection ended before the SUBACK")
		case tok.Error() != nil:
			res[i].Err = fmt.Errorf("subscribe: %w", tok.Error())
		case !have:
			res[i].Err = errors.New("subscribe: no SUBACK for this filter")
		default:
			res[i].Granted, res[i].Err = subackCode(code, "refused (MQTT 3.1.1 gives no reason)")
		}
	}
	v.c.subscribed(res)
}

// keepalive runs pinger on pc's connection until it closes; a broker that
// stops answering gets the connection closed, and run reports why.
func (v *v311) keepalive(life context.Context, pc *pahoClient) {
	lc := pc.conn.Load()
	if lc == nil {
		return
	}
	ctx, cancel := context.WithCancel(life)
	defer cancel()
	go func() {
		select {
		case <-lc.gone:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := pc.ping.run(ctx, v.c.opts.KeepAlive, lc.ping); err != nil {
		lc.kill(err)
	}
}

// onMessage is the hot path for 3.1.1: hand off, waiting while the buffer
// is full (deliver); paho acknowledges QoS 1/2 after it returns.
func (v *v311) onMessage(pc *pahoClient, m pahomqtt.Message) {
	var gone <-chan struct{}
	if lc := pc.conn.Load(); lc != nil {
		gone = lc.gone
	}
	v.c.deliver(Message{
		Topic:    m.Topic(),
		Payload:  m.Payload(),
		QoS:      m.Qos(),
		Retain:   m.Retained(),
		Dup:      m.Duplicate(),
		Received: time.Now(),
	}, gone)
}

func (v *v311) publish(ctx context.Context, req PublishRequest) PublishResult {
	pc := v.cur.Load()
	if pc == nil || !pc.cli.IsConnectionOpen() {
		return offline()
	}
	ctx, cancel := publishContext(ctx)
	defer cancel()
	tok := pc.cli.Publish(req.Topic, req.QoS, req.Retain, req.Payload)
	select {
	case <-tok.Done():
	case <-ctx.Done():
		err := fmt.Errorf("no acknowledgement: %w", ctx.Err())
		return PublishResult{Outcome: OutcomeTimeout, Reason: err.Error(), Err: err}
	}
	if err := tok.Error(); err != nil {
		if errors.Is(err, pahomqtt.ErrNotConnected) {
			return offline()
		}
		return PublishResult{Outcome: OutcomeFailed, Reason: err.Error(), Err: err}
	}
	r := PublishResult{Outcome: OutcomeAcked}
	if req.Props != nil {
		r.Reason, r.Err = ErrPropsDropped.Error(), ErrPropsDropped
	}
	return r
}

func (v *v311) close() {
	if v.cancel == nil {
		return
	}
	v.cancel()
	<-v.done
	if pc := v.cur.Swap(nil); pc != nil {
		pc.cli.Disconnect(250)
	}
}
