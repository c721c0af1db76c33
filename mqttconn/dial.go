package mqttconn

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// readBuffer is the per-connection read buffer. Both paho libraries read a
// packet header byte by byte straight from the connection; without a buffer
// that is several syscalls per message.
const readBuffer = 64 << 10

// dial opens the network connection (TCP, TLS, websocket) within timeout.
// Failures are *dialError so they are told apart from MQTT handshake ones.
func dial(ctx context.Context, b BrokerURL, tlsCfg *tls.Config, timeout time.Duration, sniffV3Connack bool) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		conn net.Conn
		err  error
	)
	switch {
	case b.Websocket():
		conn, err = dialWebsocket(ctx, b, tlsCfg)
	case b.TLS():
		conn, err = dialTLS(ctx, b, tlsCfg)
	default:
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", b.Addr())
	}
	if err != nil {
		return nil, &dialError{err: err, tls: b.TLS()}
	}
	var r io.Reader = conn
	if pc, ok := conn.(*prefixConn); ok {
		r = pc.reader()
	}
	return &bufConn{Conn: conn, r: bufio.NewReaderSize(r, readBuffer), first: true, sniff: sniffV3Connack}, nil
}

// ticketWait bounds the TLS 1.3 probe below for brokers that send no
// session tickets.
const ticketWait = 250 * time.Millisecond

// dialTLS completes the TLS handshake and, for TLS 1.3, waits for the
// server's verdict on the client certificate before MQTT starts. In TLS 1.3
// that verdict comes after the client's handshake is done: a refusal is an
// alert, and if CONNECT is already on its way the server's close turns into
// a TCP reset that can swallow the alert, leaving only "connection reset".
// The server sends session tickets once it has accepted the client, so the
// probe ends at the first ticket (or the alert, or ticketWait).
func dialTLS(ctx context.Context, b BrokerURL, tlsCfg *tls.Config) (net.Conn, error) {
	cfg := tlsCfg.Clone()
	ticket := make(chan struct{}, 1)
	cfg.ClientSessionCache = ticketSignal(ticket)
	d := tls.Dialer{Config: cfg}
	c, err := d.DialContext(ctx, "tcp", b.Addr())
	if err != nil {
		return nil, err
	}
	tc := c.(*tls.Conn)
	if tc.ConnectionState().Version != tls.VersionTLS13 {
		return tc, nil
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ticket:
			_ = tc.SetReadDeadline(time.Now()) // end the probe read now
		case <-stop:
		}
	}()
	_ = tc.SetReadDeadline(time.Now().Add(ticketWait))
	buf := make([]byte, 512)
	n, err := tc.Read(buf)
	close(stop)
	<-stopped
	_ = tc.SetReadDeadline(time.Time{})
	if err != nil && !isTimeout(err) {
		_ = tc.Close()
		return nil, err
	}
	if n > 0 { // brokers speak only after CONNECT, but keep whatever came
		return &prefixConn{Conn: tc, prefix: buf[:n]}, nil
	}
	return tc, nil
}

// ticketSignal is a session cache that stores nothing and reports the
// arrival of a TLS 1.3 session ticket.
type ticketSignal chan struct{}

func (ticketSignal) Get(string) (*tls.ClientSessionState, bool) { return nil, false }

func (t ticketSignal) Put(_ string, cs *tls.ClientSessionState) {
	if cs == nil {
		return
	}
	select {
	case t <- struct{}{}:
	default:
	}
}

// prefixConn replays bytes read during the TLS probe.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) reader() io.Reader { return io.MultiReader(bytes.NewReader(p.prefix), p.Conn) }

func dialWebsocket(ctx context.Context, b BrokerURL, tlsCfg *tls.Config) (net.Conn, error) {
	d := websocket.Dialer{
		Subprotocols:     []string{"mqtt"},
		TLSClientConfig:  tlsCfg,
		HandshakeTimeout: 0, // ctx bounds it
		Proxy:            http.ProxyFromEnvironment,
	}
	ws, resp, err := d.DialContext(ctx, b.dialURL(), nil)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
			if errors.Is(err, websocket.ErrBadHandshake) {
				return nil, fmt.Errorf("HTTP %s at %s: %w", resp.Status, b.Path, err)
			}
		}
		return nil, err
	}
	return &wsConn{Conn: ws.NetConn(), ws: ws}, nil
}

// bufConn buffers reads and serialises writes: paho.golang takes the
// sync.Locker of a connection before writing a packet from any goroutine.
type bufConn struct {
	net.Conn
	r *bufio.Reader
	sync.Mutex
	// first: the first byte a broker sends is CONNACK's (0x20). Anything
	// else is a peer that does not speak MQTT, which the packet decoders
	// would report as "invalid Prop type 46 for packet 4" or the like.
	first bool
	// sniff inspects the first packet an MQTT 5 client receives: a 3.1.1
	// CONNACK (remaining length 2) means the broker refused MQTT 5 the 3.1.1
	// way, which paho.golang would otherwise report as a bare EOF.
	sniff bool
}

func (c *bufConn) Read(p []byte) (int, error) {
	if c.first {
		c.first = false
		if h, err := c.r.Peek(1); err == nil && h[0] != 0x20 {
			b, _ := c.r.Peek(min(c.r.Buffered(), 64))
			return 0, &notMQTTError{first: append([]byte(nil), b...)}
		}
	}
	if c.sniff {
		c.sniff = false
		if h, err := c.r.Peek(2); err == nil && h[0] == 0x20 && h[1] == 0x02 {
			if b, err := c.r.Peek(4); err == nil {
				return 0, &connackError{code: b[3], v3: true}
			}
		}
	}
	return c.r.Read(p)
}

var _ sync.Locker = (*bufConn)(nil)

// wsConn carries MQTT in binary websocket messages.
type wsConn struct {
	net.Conn
	ws *websocket.Conn
	r  io.Reader
	mu sync.Mutex
}

func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			kind, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				continue // MQTT over websockets is binary only; skip anything else
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if errors.Is(err, io.EOF) {
			c.r = nil
			if n == 0 {
				continue
			}
			return n, nil
		}
		return n, err
	}
}

func (c *wsConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *wsConn) Close() error { return c.ws.Close() }
