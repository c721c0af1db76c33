package reliability

import (
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// linkProxy is a TCP relay on 127.0.0.1 between a client and a broker. Cut
// drops every connection and refuses new ones, as a dead network path
// would, while the broker keeps running; Restore lets connections through
// again. It lets a test keep a client away from a broker for exactly as long
// as it needs.
type linkProxy struct {
	ln       net.Listener
	upstream string

	mu    sync.Mutex
	cut   bool
	mute  bool // client-to-broker bytes are swallowed
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// newLinkProxy relays to 127.0.0.1:upstreamPort until the test ends.
func newLinkProxy(t testing.TB, upstreamPort int) *linkProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &linkProxy{ln: ln, upstream: "127.0.0.1:" + strconv.Itoa(upstreamPort), conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// URL is mqtt://127.0.0.1:PORT of the proxy.
func (p *linkProxy) URL() string {
	return "mqtt://" + p.ln.Addr().String()
}

func (p *linkProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refused := p.cut
		p.mu.Unlock()
		if refused {
			_ = c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.upstream, 2*time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		if !p.track(c, up) {
			continue
		}
		p.wg.Add(2)
		go p.pipe(c, up, false)
		go p.pipe(up, c, true)
	}
}

// track registers a pair, or closes it when the link was cut meanwhile.
func (p *linkProxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		_ = a.Close()
		_ = b.Close()
		return false
	}
	p.conns[a] = struct{}{}
	p.conns[b] = struct{}{}
	return true
}

// pipe copies one direction; when either side ends, both are closed, so a
// broker that dies takes the client's connection with it.
func (p *linkProxy) pipe(dst, src net.Conn, toBroker bool) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !(toBroker && p.muted()) {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// Cut closes every relayed connection and refuses new ones.
func (p *linkProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
}

// Mute swallows everything the client sends from now on (its PUBACKs,
// PINGREQs) while the broker's packets still reach it: a link that died in
// one direction.
func (p *linkProxy) Mute() {
	p.mu.Lock()
	p.mute = true
	p.mu.Unlock()
}

func (p *linkProxy) muted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mute
}

// Restore lets new connections through again.
func (p *linkProxy) Restore() {
	p.mu.Lock()
	p.cut, p.mute = false, false
	p.mu.Unlock()
}

func (p *linkProxy) close() {
	_ = p.ln.Close()
	p.Cut()
	p.wg.Wait()
}
