package mqttconn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by New to zero fields of Options.
const (
	DefaultKeepAlive      = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultBackoffMax     = 30 * time.Second
	DefaultBufferSize     = 65536
	// DefaultPublishTimeout bounds Publish when its context has no deadline.
	DefaultPublishTimeout = 10 * time.Second
	// firstRetry is the upper bound of the first reconnect delay; each
	// further failure doubles it up to BackoffMax, with jitter in [d/2, d].
	firstRetry = time.Second
)

// New checks opts and returns a Client that has not connected yet; call
// Start. Protocol "" means auto: MQTT 5 first, 3.1.1 when the broker refuses 5.
func New(opts Options) (Client, error) {
	c, err := newCommon(opts)
	if err != nil {
		return nil, err
	}
	switch c.opts.Protocol {
	case Protocol5:
		return &single{common: c, impl: newV5(c)}, nil
	case Protocol311:
		return &single{common: c, impl: newV311(c)}, nil
	default:
		return &autoClient{common: c}, nil
	}
}

// common is what both protocol implementations share: options, the one
// Messages channel with its drop and wait counters, and state reporting.
type common struct {
	opts     Options
	broker   BrokerURL
	display  string
	clientID string
	// persistent3 says whether a 3.1.1 connection asks for a persistent
	// session (clean session false).
	persistent3 bool

	secrets SecretSet // credentials sent so far, scrubbed from reported errors

	msgs    chan Message
	dropped atomic.Uint64
	waits   atomic.Uint64
	stalled atomic.Bool // the consumer took nothing for DropAfter (deliver.go)

	firstMsg     chan struct{} // closed on the first message delivered
	firstMsgOnce sync.Once
	gotMsg       atomic.Bool
	protocol     atomic.Pointer[string]
	retry        retrier
}

func newCommon(o Options) (*common, error) {
	switch o.Protocol {
	case "", ProtocolAuto:
		o.Protocol = ProtocolAuto
	case Protocol5, Protocol311:
	case "3", "311", "4":
		o.Protocol = Protocol311
	default:
		return nil, fmt.Errorf("MQTT version %q not supported: use 5, 3.1.1 or auto", o.Protocol)
	}
	b, err := ParseBroker(o.Broker)
	if err != nil {
		return nil, err
	}
	// Checked now so a wrong path fails at once; each attempt reads the
	// files again (attemptTLS).
	if _, err := tlsConfig(&o, b); err != nil {
		return nil, err
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.KeepAlive > 65535*time.Second {
		return nil, fmt.Errorf("keepalive %s over the MQTT maximum of 65535s", o.KeepAlive)
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.DropAfter <= 0 {
		o.DropAfter = o.KeepAlive / 2
	}
	if o.SessionExpiry < 0 || o.SessionExpiry > time.Duration(1<<32-1)*time.Second {
		return nil, fmt.Errorf("session expiry %s out of range", o.SessionExpiry)
	}
	for _, s := range o.Subscriptions {
		if err := validFilter(s.Filter); err != nil {
			return nil, err
		}
		if s.QoS > 2 {
			return nil, fmt.Errorf("subscription %q: QoS %d (want 0, 1 or 2)", s.Filter, s.QoS)
		}
	}
	if o.Will != nil {
		if o.ReadOnly {
			// The broker would publish it on the console's behalf.
			return nil, fmt.Errorf("%w: a will message would be published for it (drop the will or read-only)", ErrReadOnly)
		}
		if err := validTopic(o.Will.Topic); err != nil {
			return nil, fmt.Errorf("will message: %w", err)
		}
		if o.Will.QoS > 2 {
			return nil, fmt.Errorf("will message: QoS %d (want 0, 1 or 2)", o.Will.QoS)
		}
	}
	c := &common{opts: o, broker: b, display: b.String(), clientID: o.ClientID, retry: newRetrier()}
	if c.clientID == "" {
		var r [6]byte
		_, _ = rand.Read(r[:])
		c.clientID = "mqdeck-" + hex.EncodeToString(r[:])
	}
	// A generated id can never be resumed after this process ends, and 3.1.1
	// sessions do not expire: never leave such a session on the broker.
	c.persistent3 = !o.CleanStart && o.ClientID != ""
	c.msgs = make(chan Message, o.BufferSize)
	c.firstMsg = make(chan struct{})
	return c, nil
}

func validFilter(f string) error {
	if f == "" {
		return errors.New("empty topic filter")
	}
	for i, lvl := range strings.Split(f, "/") {
		if strings.Contains(lvl, "#") && (lvl != "#" || i != strings.Count(f, "/")) {
			return fmt.Errorf("topic filter %q: '#' must be a whole last level", f)
		}
		if strings.Contains(lvl, "+") && lvl != "+" {
			return fmt.Errorf("topic filter %q: '+' must be a whole level", f)
		}
	}
	return nil
}

func validTopic(t string) error {
	if t == "" {
		return errors.New("empty topic")
	}
	if strings.ContainsAny(t, "+#") {
		return fmt.Errorf("topic %q: wildcards are for subscriptions, not for publishing", t)
	}
	return nil
}

func (c *common) Messages() <-chan Message { return c.msgs }
func (c *common) Dropped() uint64          { return c.dropped.Load() }

func (c *common) Protocol() string {
	if p := c.protocol.Load(); p != nil {
		return *p
	}
	return ""
}

func (c *common) setProtocol(p string) { c.protocol.Store(&p) }

func (c *common) state(s State) {
	if c.opts.OnState == nil {
		return
	}
	s.Broker = c.display
	s.At = time.Now()
	s.Err = c.scrubErr(s.Err)
	c.opts.OnState(s)
}

func (c *common) subscribed(res []SubResult) {
	if c.opts.OnSubscribe != nil && len(res) > 0 {
		c.opts.OnSubscribe(res)
	}
}

// retryDelay is the wait before reconnect attempt n (0 = first retry):
// 1 s doubling to BackoffMax, jittered into [d/2, d] so a fleet of consoles
// does not reconnect in lock step after a broker restart.
func (c *common) retryDelay(n int) time.Duration {
	d := c.opts.BackoffMax
	if n < 30 && firstRetry<<n < d {
		d = firstRetry << n
	}
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// checkPublish refuses what must never be sent, before any protocol work.
func (c *common) checkPublish(req *PublishRequest) (PublishResult, bool) {
	if c.opts.ReadOnly {
		return PublishResult{Outcome: OutcomeReadOnly, Reason: ErrReadOnly.Error(), Err: ErrReadOnly}, true
	}
	if err := validTopic(req.Topic); err != nil {
		return PublishResult{Outcome: OutcomeFailed, Reason: err.Error(), Err: err}, true
	}
	if req.QoS > 2 {
		err := fmt.Errorf("QoS %d (want 0, 1 or 2)", req.QoS)
		return PublishResult{Outcome: OutcomeFailed, Reason: err.Error(), Err: err}, true
	}
	return PublishResult{}, false
}

func offline() PublishResult {
	return PublishResult{Outcome: OutcomeOffline, Reason: ErrOffline.Error(), Err: ErrOffline}
}

// publishContext bounds a publish that came without a deadline.
func publishContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultPublishTimeout)
}
