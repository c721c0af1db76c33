package broker

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// wsListener is a websocket listener that binds in Init, so port 0 works and
// the chosen port is known before Serve (mochi's own binds inside Serve).
type wsListener struct {
	id       string
	addr     string
	ln       net.Listener
	srv      *http.Server
	upgrader websocket.Upgrader
	log      *slog.Logger

	mu        sync.Mutex
	establish listeners.EstablishFn
	closed    bool
}

func newWSListener(id, addr string) *wsListener {
	return &wsListener{
		id:   id,
		addr: addr,
		upgrader: websocket.Upgrader{
			Subprotocols: []string{"mqtt"},
			// Loopback test and demo broker: browsers are not the clients.
			CheckOrigin: func(*http.Request) bool { return true },
		},
	}
}

func (l *wsListener) ID() string       { return l.id }
func (l *wsListener) Protocol() string { return "ws" }

func (l *wsListener) Address() string {
	if l.ln != nil {
		return l.ln.Addr().String()
	}
	return l.addr
}

func (l *wsListener) Init(log *slog.Logger) error {
	l.log = log
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	l.ln = ln
	l.srv = &http.Server{Handler: http.HandlerFunc(l.handle), ReadHeaderTimeout: 10 * time.Second}
	return nil
}

func (l *wsListener) Serve(establish listeners.EstablishFn) {
	l.mu.Lock()
	l.establish = establish
	l.mu.Unlock()
	err := l.srv.Serve(l.ln)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		l.log.Error("websocket listener stopped", "error", err)
	}
}

func (l *wsListener) handle(w http.ResponseWriter, r *http.Request) {
	c, err := l.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	l.mu.Lock()
	establish := l.establish
	l.mu.Unlock()
	if establish == nil {
		return
	}
	if err := establish(l.id, &wsConn{Conn: c.NetConn(), ws: c}); err != nil {
		l.log.Debug("websocket client ended", "error", err)
	}
}

func (l *wsListener) Close(closeClients listeners.CloseFn) {
	l.mu.Lock()
	already := l.closed
	l.closed = true
	l.mu.Unlock()
	if already {
		return // the clients were closed then (Broker.Close closes twice)
	}
	if l.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = l.srv.Shutdown(ctx)
	}
	closeClients(l.id)
}

// wsConn carries the MQTT byte stream in binary websocket messages; an MQTT
// packet may span messages and a message may hold several packets.
type wsConn struct {
	net.Conn
	ws *websocket.Conn
	r  io.Reader
}

var errNotBinary = errors.New("websocket: text message where MQTT expects binary")

func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			kind, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				return 0, errNotBinary
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
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *wsConn) Close() error { return c.ws.Close() }
