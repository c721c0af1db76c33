package mqttconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// receiveMaximum caps QoS 1/2 messages in flight from the broker and the
// depth of paho's internal receive queue.
const receiveMaximum uint16 = 1024

// subackPatience is how long paho may wait for a SUBACK: the connection's
// end (connContext) is the real bound.
const subackPatience = 24 * time.Hour

// v5 is the MQTT 5 implementation on autopaho. autopaho owns the reconnect
// loop; this type feeds it the back-off, restores subscriptions in
// OnConnectionUp and turns its callbacks into State values.
type v5 struct {
	c *common

	cm     atomic.Pointer[autopaho.ConnectionManager]
	cancel context.CancelFunc
	life   <-chan struct{}          // closed when the client closes
	conn   atomic.Pointer[liveConn] // the latest connection, for deliver
	up     atomic.Bool
	everUp atomic.Bool

	firstErr chan error    // first failed attempt while Start waits
	firstUp  chan struct{} // closed on the first CONNACK success
	firstSub chan struct{} // closed after the first SUBACK(s)
	upOnce   sync.Once
	subOnce  sync.Once

	lastErr  atomic.Pointer[error] // why the connection went down, for the next State
	errReady chan struct{}         // pinged when lastErr is set
}

func newV5(c *common) *v5 {
	return &v5{
		c:        c,
		firstErr: make(chan error, 1),
		firstUp:  make(chan struct{}),
		firstSub: make(chan struct{}),
		errReady: make(chan struct{}, 1),
	}
}

func (v *v5) start(ctx context.Context, deadline time.Time) error {
	o := &v.c.opts
	u := &url.URL{Scheme: v.c.broker.Scheme, Host: v.c.broker.Addr(), Path: v.c.broker.Path}
	life, cancel := context.WithCancel(context.Background())
	v.cancel, v.life = cancel, life.Done()
	cfg := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		KeepAlive:                     uint16(o.KeepAlive / time.Second),
		CleanStartOnInitialConnection: o.CleanStart,
		SessionExpiryInterval:         uint32(o.SessionExpiry / time.Second),
		ReconnectBackoff:              v.backoff,
		ConnectTimeout:                o.ConnectTimeout,
		// autopaho builds CONNECT, then dials, before every attempt: both
		// read the credentials and TLS files afresh (creds.go).
		AttemptConnection: func(ctx context.Context, _ autopaho.ClientConfig, _ *url.URL) (net.Conn, error) {
			tc, err := v.c.attemptTLS()
			if err != nil {
				return nil, err
			}
			conn, err := dial(ctx, v.c.broker, tc, o.ConnectTimeout, true)
			if err != nil {
				return nil, err
			}
			lc := newLiveConn(conn, nil)
			v.conn.Store(lc)
			return lc, nil
		},
		OnConnectionUp:   v.onUp,
		OnConnectionDown: func() bool { v.up.Store(false); return true },
		OnConnectError:   v.onConnectError,
		ConnectPacketBuilder: func(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
			cr, err := v.c.attemptCredentials(life)
			if err != nil {
				return nil, err // counts as a failed attempt: the back-off goes on
			}
			cp.UsernameFlag, cp.Username = cr.Username != "", cr.Username
			cp.PasswordFlag, cp.Password = cr.Password != "", []byte(cr.Password)
			// paho sizes its internal queue of decoded PUBLISH packets by
			// Receive Maximum (65535 by default). Messages() is the bounded
			// buffer; a second, hidden one of 65535 packets only holds garbage
			// the collector has to walk during a flood.
			rm := receiveMaximum
			if cp.Properties == nil {
				cp.Properties = &paho.ConnectProperties{}
			}
			cp.Properties.ReceiveMaximum = &rm
			// paho encodes a false RequestProblemInfo as 0, which asks the
			// broker to drop reason strings from SUBACK/PUBACK (the errors an
			// operator needs to see); mochi even drops user properties from
			// PUBLISH then.
			cp.Properties.RequestProblemInfo = true
			return cp, nil
		},
		ClientConfig: paho.ClientConfig{
			ClientID:    v.c.clientID,
			PingHandler: &pinger{}, // notices a hung broker within ~1.1x keepalive (keepalive.go)
			// paho bounds the wait for a SUBACK by this; a resumed session's
			// SUBACK queues behind its backlog, which may take long to drain
			// (deliver waits). Publish and connect carry their own deadlines.
			PacketTimeout:     subackPatience,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){v.onPublish},
			OnClientError:     func(err error) { v.setLastErr(err) },
			OnServerDisconnect: func(d *paho.Disconnect) {
				msg := "broker sent DISCONNECT: " + ReasonText(d.ReasonCode)
				if d.Properties != nil && d.Properties.ReasonString != "" {
					msg += ": " + d.Properties.ReasonString
				}
				v.setLastErr(errors.New(msg))
			},
		},
	}
	if w := o.Will; w != nil {
		cfg.WillMessage = &paho.WillMessage{Topic: w.Topic, Payload: w.Payload, QoS: w.QoS, Retain: w.Retain}
		cfg.WillProperties = &paho.WillProperties{}
		if p := w.Props; p != nil {
			cfg.WillProperties = &paho.WillProperties{
				PayloadFormat: p.PayloadFormat, MessageExpiry: p.MessageExpiry, ContentType: p.ContentType,
				ResponseTopic: p.ResponseTopic, CorrelationData: p.CorrelationData, User: toPahoUser(p.User),
			}
		}
	}

	cm, err := autopaho.NewConnection(life, cfg)
	if err != nil {
		cancel()
		return fmt.Errorf("mqtt 5 client: %w", err)
	}
	v.cm.Store(cm)

	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	fail := func(err error) error {
		v.close()
		return classify(err, o, v.c.display, o.ConnectTimeout)
	}
	select {
	case <-v.firstUp:
	case err := <-v.firstErr:
		return fail(err)
	case <-timer.C:
		return fail(context.DeadlineExceeded)
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	// Connected: give the SUBACK the rest of the time, so messages published
	// right after Start returns are not missed; a slow SUBACK still reports
	// through OnSubscribe later. A resumed session may deliver its backlog
	// before the SUBACK, which then queues behind it: messages flowing is
	// as good a sign, and the consumer must start taking them.
	select {
	case <-v.firstSub:
	case <-v.c.firstMsg:
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil
}

// backoff is autopaho's ReconnectBackoff: it is called before every
// attempt, so it is where "reconnecting in N s because X" is reported.
func (v *v5) backoff(attempt int) time.Duration {
	if !v.everUp.Load() {
		if attempt == 0 {
			return 0
		}
		return time.Hour // the first connection failed: Start is tearing down
	}
	d := v.c.retryDelay(attempt)
	why := v.takeLastErr(attempt == 0)
	v.c.state(State{Kind: StateReconnecting, RetryIn: d, Attempt: attempt + 1, Err: why})
	// Wait here rather than in autopaho, so RetryNow can end the wait
	// (autopaho calls this on its connection goroutine, then waits 0).
	v.c.waitRetry(v.life, d)
	return 0
}

func (v *v5) onUp(cm *autopaho.ConnectionManager, _ *paho.Connack) {
	v.up.Store(true)
	v.everUp.Store(true)
	v.c.setProtocol(string(Protocol5))
	v.c.state(State{Kind: StateConnected, Protocol: string(Protocol5)})
	v.upOnce.Do(func() { close(v.firstUp) })
	go v.subscribe(cm) // OnConnectionUp must not block; SUBSCRIBE waits for SUBACK
}

func (v *v5) onConnectError(err error) {
	if !v.everUp.Load() {
		select {
		case v.firstErr <- err:
		default:
		}
		return
	}
	v.setLastErr(err)
}

func (v *v5) setLastErr(err error) {
	v.lastErr.Store(&err)
	select {
	case v.errReady <- struct{}{}:
	default:
	}
}

// takeLastErr returns why the connection went down. autopaho reports a
// dropped connection from a goroutine that may lag the reconnect loop, so
// right after a drop wait briefly for it.
func (v *v5) takeLastErr(justDropped bool) error {
	if p := v.lastErr.Swap(nil); p != nil {
		return v.describeDrop(*p)
	}
	if justDropped {
		select {
		case <-v.errReady:
			if p := v.lastErr.Swap(nil); p != nil {
				return v.describeDrop(*p)
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("connection lost")
}

// describeDrop keeps the reason short: a classified line for failed
// attempts (refused credentials say so), the error itself otherwise.
func (v *v5) describeDrop(err error) error {
	var ac *autopaho.ConnackError
	if errors.As(err, &ac) || errors.As(err, new(*dialError)) || errors.As(err, new(*ConnectError)) {
		return v.c.retryReason(err)
	}
	return droppedBy(err)
}

// droppedBy words a bare end of stream for an operator ("EOF" says little).
func droppedBy(err error) error {
	if isClosed(err) && !strings.Contains(err.Error(), "closed the connection") {
		return fmt.Errorf("the broker closed the connection (%w)", err)
	}
	return err
}

func (v *v5) subscribe(cm *autopaho.ConnectionManager) {
	defer v.subOnce.Do(func() { close(v.firstSub) })
	subs := v.c.opts.Subscriptions
	var res []SubResult
	// One SUBSCRIBE per run of subscriptions with the same user properties:
	// properties belong to the packet, not to a filter.
	for start := 0; start < len(subs); {
		end := start + 1
		for end < len(subs) && slices.Equal(subs[end].User, subs[start].User) {
			end++
		}
		res = append(res, v.subscribeGroup(cm, subs[start:end])...)
		start = end
	}
	v.c.subscribed(res)
}

func (v *v5) subscribeGroup(cm *autopaho.ConnectionManager, group []Subscription) []SubResult {
	p := &paho.Subscribe{Subscriptions: make([]paho.SubscribeOptions, len(group))}
	for i, s := range group {
		p.Subscriptions[i] = paho.SubscribeOptions{Topic: s.Filter, QoS: s.QoS}
	}
	if len(group[0].User) > 0 {
		p.Properties = &paho.SubscribeProperties{User: toPahoUser(group[0].User)}
	}
	// No time limit while the connection lives: the SUBACK may queue
	// behind a backlog the consumer drains slowly (deliver waits).
	ctx, cancel := connContext(v.conn.Load(), v.life)
	defer cancel()
	ack, err := cm.Subscribe(ctx, p)
	res := make([]SubResult, len(group))
	for i, s := range group {
		res[i].Filter = s.Filter
		switch {
		case ack != nil && i < len(ack.Reasons):
			reason := ""
			if ack.Properties != nil {
				reason = ack.Properties.ReasonString
			}
			res[i].Granted, res[i].Err = subackCode(ack.Reasons[i], reason)
		case err != nil:
			res[i].Err = fmt.Errorf("subscribe: %w", err)
		default:
			res[i].Err = errors.New("subscribe: no SUBACK for this filter")
		}
	}
	return res
}

// onPublish is the hot path: build the Message and hand it off. It waits
// while the buffer is full (deliver); paho acknowledges QoS 1/2 after it
// returns, and pinger counts every packet read meanwhile as liveness.
func (v *v5) onPublish(pr paho.PublishReceived) (bool, error) {
	p := pr.Packet
	var gone <-chan struct{}
	if lc := v.conn.Load(); lc != nil {
		gone = lc.gone
	}
	v.c.deliver(Message{
		Topic:    p.Topic,
		Payload:  p.Payload,
		QoS:      p.QoS,
		Retain:   p.Retain,
		Dup:      p.Duplicate(), // a redelivery: the UI and log mark it
		Received: time.Now(),
		Props:    fromPahoProps(p.Properties),
	}, gone)
	return true, nil
}

func (v *v5) publish(ctx context.Context, req PublishRequest) PublishResult {
	cm := v.cm.Load()
	if cm == nil || !v.up.Load() {
		return offline()
	}
	ctx, cancel := publishContext(ctx)
	defer cancel()
	resp, err := cm.Publish(ctx, &paho.Publish{
		QoS: req.QoS, Retain: req.Retain, Topic: req.Topic, Payload: req.Payload,
		Properties: toPahoProps(req.Props),
	})
	r := PublishResult{}
	if resp != nil {
		r.ReasonCode = resp.ReasonCode
		if resp.ReasonCode != 0 {
			r.Reason = AckReasonText(resp.ReasonCode)
		}
		if resp.Properties != nil && resp.Properties.ReasonString != "" {
			r.Reason += ": " + resp.Properties.ReasonString
		}
	}
	switch {
	case resp != nil && resp.ReasonCode >= 0x80:
		r.Outcome = OutcomeRefused
		r.Err = fmt.Errorf("broker refused the publish: %s", r.Reason)
	case errors.Is(err, autopaho.ConnectionDownError):
		return offline()
	case err != nil && isTimeout(err):
		r.Outcome, r.Err = OutcomeTimeout, fmt.Errorf("no acknowledgement: %w", err)
		r.Reason = r.Err.Error()
	case err != nil:
		r.Outcome, r.Err, r.Reason = OutcomeFailed, err, err.Error()
	default:
		r.Outcome = OutcomeAcked
	}
	return r
}

func (v *v5) close() {
	cm := v.cm.Load()
	if cm == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = cm.Disconnect(ctx) // sends DISCONNECT when up, stops reconnecting
	v.cancel()
	v.up.Store(false)
}

func fromPahoProps(p *paho.PublishProperties) *Props {
	if p == nil || (p.ContentType == "" && p.ResponseTopic == "" && p.CorrelationData == nil &&
		len(p.User) == 0 && p.PayloadFormat == nil && p.MessageExpiry == nil) {
		return nil
	}
	out := &Props{
		ContentType:     p.ContentType,
		PayloadFormat:   p.PayloadFormat,
		ResponseTopic:   p.ResponseTopic,
		CorrelationData: p.CorrelationData,
		MessageExpiry:   p.MessageExpiry,
	}
	if len(p.User) > 0 {
		out.User = make([]UserProperty, len(p.User))
		for i, u := range p.User {
			out.User[i] = UserProperty{Key: u.Key, Value: u.Value}
		}
	}
	return out
}

func toPahoProps(p *Props) *paho.PublishProperties {
	if p == nil {
		return nil
	}
	return &paho.PublishProperties{
		ContentType:     p.ContentType,
		PayloadFormat:   p.PayloadFormat,
		ResponseTopic:   p.ResponseTopic,
		CorrelationData: p.CorrelationData,
		MessageExpiry:   p.MessageExpiry,
		User:            toPahoUser(p.User),
	}
}

func toPahoUser(u []UserProperty) paho.UserProperties {
	if len(u) == 0 {
		return nil
	}
	out := make(paho.UserProperties, len(u))
	for i, p := range u {
		out[i] = paho.UserProperty{Key: p.Key, Value: p.Value}
	}
	return out
}
