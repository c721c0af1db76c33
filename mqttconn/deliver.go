package mqttconn

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// deliver hands m to Messages, waiting while the buffer is full: the paho
// read loop then stops reading, TCP throttles the broker for QoS 0 and the
// unacknowledged QoS 1/2 packets hold it back (Receive Maximum). paho
// acknowledges a QoS 1/2 message when this returns, so it returns only once
// m is buffered or its connection gone is closed (the broker then sends it
// again). A QoS 0 message is dropped and counted only when the consumer has
// taken nothing for DropAfter (a stuck stdout), and from then on at once,
// until the consumer takes one again.
func (c *common) deliver(m Message, gone <-chan struct{}) {
	if !c.gotMsg.Load() {
		c.gotMsg.Store(true)
		c.firstMsgOnce.Do(func() { close(c.firstMsg) })
	}
	select {
	case c.msgs <- m:
		c.stalled.Store(false)
		return
	default:
	}
	if m.QoS == 0 && c.stalled.Load() {
		c.dropped.Add(1)
		return
	}
	c.waits.Add(1)
	t := time.NewTimer(c.opts.DropAfter)
	defer t.Stop()
	for {
		select {
		case c.msgs <- m:
			c.stalled.Store(false)
			return
		case <-t.C:
			// One producer per connection: a consumer that took anything
			// would have made room for m within the bound.
			c.stalled.Store(true)
			if m.QoS == 0 {
				c.dropped.Add(1)
				return
			}
		case <-gone:
			if m.QoS > 0 {
				return // never acknowledged: redelivered on the next session
			}
			gone = nil // the message is here: keep it while the consumer moves
		}
	}
}

// connContext ends when lc closes or life ends. Without a connection yet
// it falls back to DefaultPublishTimeout.
func connContext(lc *liveConn, life <-chan struct{}) (context.Context, context.CancelFunc) {
	if lc == nil {
		return context.WithTimeout(context.Background(), DefaultPublishTimeout)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-lc.gone:
		case <-life:
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx, cancel
}

// Waits counts messages whose hand-off had to wait for the consumer.
func (c *common) Waits() uint64 { return c.waits.Load() }

// liveConn is the connection as paho sees it. Close ends whatever deliver
// waits for on its behalf. For MQTT 3.1.1 it also feeds pinger (any byte
// read is liveness) and writes pinger's PINGREQ between two packets, since
// paho.mqtt.golang writes one packet in several Write calls.
type liveConn struct {
	net.Conn
	gone      chan struct{}
	closeOnce sync.Once
	p         *pinger // nil: paho.golang calls the pinger itself
	killed    atomic.Pointer[error]

	lmu     sync.Mutex // Lock's, when the wrapped connection has none
	wmu     sync.Mutex
	out     packetEdge
	pend    []byte // the packet's bytes so far, written at its end
	pingDue bool
}

// maxCoalesce bounds what a packet's pieces are copied into: a larger
// packet (a big payload) is written as it comes.
const maxCoalesce = 16 << 10

func newLiveConn(c net.Conn, p *pinger) *liveConn {
	return &liveConn{Conn: c, gone: make(chan struct{}), p: p}
}

// Lock and Unlock pass on the wrapped connection's sync.Locker (bufConn's):
// paho.golang writes a packet in several Write calls from any goroutine and
// serialises them only through a Locker on the connection. Without it,
// concurrent MQTT 5 publishes interleave on the wire and the broker reads
// one PUBLISH inside another's payload.
func (c *liveConn) Lock() {
	if l, ok := c.Conn.(sync.Locker); ok {
		l.Lock()
		return
	}
	c.lmu.Lock()
}

func (c *liveConn) Unlock() {
	if l, ok := c.Conn.(sync.Locker); ok {
		l.Unlock()
		return
	}
	c.lmu.Unlock()
}

var _ sync.Locker = (*liveConn)(nil)

func (c *liveConn) Close() error {
	c.closeOnce.Do(func() { close(c.gone) })
	return c.Conn.Close()
}

// kill closes the connection for a reason paho then reports: it ignores
// a read error on a connection closed under it.
func (c *liveConn) kill(why error) {
	c.killed.Store(&why)
	_ = c.Close()
}

func (c *liveConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && c.p != nil {
		c.p.PacketReceived()
	}
	if err != nil {
		if why := c.killed.Load(); why != nil {
			err = *why
		}
	}
	return n, err
}

// Write sends a packet in one write to the connection, however many pieces
// paho hands it in: paho.golang writes a PUBACK in three (fixed header, id
// and reason, properties' length), and on loopback TCP or TLS each write is
// a segment or record of its own. The write of a packet's last piece
// returns the packet's error.
func (c *liveConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.out.feed(b)
	whole := c.out.atEdge()
	if len(c.pend)+len(b) <= maxCoalesce {
		c.pend = append(c.pend, b...)
		if !whole {
			return len(b), nil
		}
		_, err := c.send(c.pend)
		c.keepPend()
		if err != nil {
			return 0, err
		}
		c.pingIfDue()
		return len(b), nil
	}
	// Too large to copy: what was kept, then this piece as it is.
	if len(c.pend) > 0 {
		_, err := c.send(c.pend)
		c.keepPend()
		if err != nil {
			return 0, err
		}
	}
	n, err := c.send(b)
	if err == nil {
		c.pingIfDue()
	}
	return n, err
}

// keepPend empties the kept bytes, keeping their array unless it grew.
func (c *liveConn) keepPend() {
	if cap(c.pend) > maxCoalesce {
		c.pend = nil
		return
	}
	c.pend = c.pend[:0]
}

// send is one write to the connection; for MQTT 3.1.1 it tells pinger.
func (c *liveConn) send(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 && c.p != nil {
		c.p.PacketSent()
	}
	return n, err
}

// pingIfDue writes pinger's PINGREQ held back while a packet was being
// written. Its error is not the packet's: a failed write fails the next.
func (c *liveConn) pingIfDue() {
	if c.pingDue && c.out.atEdge() {
		c.pingDue = false
		_, _ = c.Conn.Write(pingreq[:])
	}
}

var pingreq = [2]byte{0xc0, 0x00}

// ping sends a PINGREQ now, or right after the packet being written.
func (c *liveConn) ping() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.out.atEdge() {
		c.pingDue = true
		return nil
	}
	_, err := c.Conn.Write(pingreq[:])
	return err
}

// packetEdge follows the MQTT packets in a byte stream: fixed header (type
// byte, remaining length as a varint), then the body.
type packetEdge struct {
	body   int  // body bytes still to come
	inLen  bool // reading the remaining length
	length int
	shift  uint
}

func (e *packetEdge) atEdge() bool { return !e.inLen && e.body == 0 }

func (e *packetEdge) feed(b []byte) {
	for len(b) > 0 {
		switch {
		case e.body > 0:
			n := min(e.body, len(b))
			e.body -= n
			b = b[n:]
		case !e.inLen:
			e.inLen, e.length, e.shift = true, 0, 0
			b = b[1:]
		default:
			x := b[0]
			b = b[1:]
			e.length |= int(x&0x7f) << e.shift
			e.shift += 7
			if x&0x80 == 0 || e.shift > 21 {
				e.inLen, e.body = false, e.length
			}
		}
	}
}
