package mqtttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// MosquittoConfig says which listeners and policies the generated
// mosquitto.conf gets. A plain listener on 127.0.0.1 always exists
// (Mosquitto 2.0 refuses to start with only a websockets listener).
type MosquittoConfig struct {
	// TLS adds a TLS listener with these files (see NewPKI).
	TLS *TLSFiles
	// RequireCertificate makes the TLS listener demand a client certificate
	// signed by TLS.CA.
	RequireCertificate bool
	// WebSockets adds a websockets listener (URL path is free; /mqtt is usual).
	WebSockets bool
	// ACL is the content of an acl_file; anonymous clients get the "topic"
	// lines that come before any "user" line.
	ACL string
	// DenySubscribe and DenyPublish refuse these filters/topics to
	// anonymous clients through the dynamic security plugin, which (unlike
	// acl_file) answers SUBSCRIBE with "not authorized" in the SUBACK and a
	// refused MQTT 5 publish in the PUBACK. Not combinable with ACL.
	DenySubscribe []string
	DenyPublish   []string
	// Users adds a password_file (made with mosquitto_passwd). With users,
	// anonymous clients are refused unless AllowAnonymous is set.
	Users          map[string]string
	AllowAnonymous bool
	// Persistence keeps sessions and queued QoS > 0 messages across a
	// Stop/Restart (saved on a clean Stop, on Save and every second; a Kill
	// restores the last save).
	Persistence bool
	// Extra lines appended verbatim (e.g. "max_queued_messages 100000").
	Extra []string
	// Nice runs the broker at this niceness (through nice(1), when it is on
	// PATH), so that a load test's broker gives way to the process measured.
	Nice int
}

// Mosquitto is a broker process started for one test.
type Mosquitto struct {
	t       testing.TB
	bin     string
	dir     string
	conf    string
	nice    int
	Port    int // plain MQTT
	TLSPort int // 0 without TLS
	WSPort  int // 0 without websockets

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *lockedBuffer
}

// Mosquitto starts a Mosquitto broker on free loopback ports with a config
// generated from cfg, waits until its ports accept, and stops it when the
// test ends. It skips (or fails with MQDECK_REQUIRE_MOSQUITTO=1) when the
// binary is missing.
func StartMosquitto(t testing.TB, cfg MosquittoConfig) *Mosquitto {
	t.Helper()
	m := &Mosquitto{t: t, bin: lookTool(t, "mosquitto"), dir: t.TempDir(), nice: cfg.Nice}
	m.Port = FreePort(t)
	if cfg.TLS != nil {
		m.TLSPort = FreePort(t)
	}
	if cfg.WebSockets {
		m.WSPort = FreePort(t)
	}
	conf, err := m.writeConfig(cfg)
	if err != nil {
		t.Fatalf("mosquitto config: %v", err)
	}
	m.conf = conf
	t.Cleanup(m.Kill)
	m.start()
	return m
}

// URL is the plain listener, mqtt://127.0.0.1:PORT.
func (m *Mosquitto) URL() string { return "mqtt://127.0.0.1:" + strconv.Itoa(m.Port) }

// TLSURL is mqtts://127.0.0.1:PORT ("" without TLS). The server
// certificate from NewPKI is valid for 127.0.0.1 and localhost.
func (m *Mosquitto) TLSURL() string {
	if m.TLSPort == 0 {
		return ""
	}
	return "mqtts://127.0.0.1:" + strconv.Itoa(m.TLSPort)
}

// WSURL is ws://127.0.0.1:PORT/mqtt ("" without websockets).
func (m *Mosquitto) WSURL() string {
	if m.WSPort == 0 {
		return ""
	}
	return "ws://127.0.0.1:" + strconv.Itoa(m.WSPort) + "/mqtt"
}

// Log is what the broker has written so far (for failure messages).
func (m *Mosquitto) Log() string { return m.log.String() }

// Stop ends the broker with SIGTERM (it saves persistence) and waits.
func (m *Mosquitto) Stop() { m.signalAndWait(syscall.SIGTERM) }

// Kill ends the broker with SIGKILL and waits. Safe to call twice.
func (m *Mosquitto) Kill() { m.signalAndWait(syscall.SIGKILL) }

// Restart stops the broker (if running) and starts it again on the same
// ports with the same configuration.
func (m *Mosquitto) Restart() {
	m.t.Helper()
	m.Stop()
	m.start()
}

// Save makes the broker write its persistence file now (SIGUSR1) and waits
// until a save that began after the call is on disk, so that a Kill then
// loses nothing the broker knew before Save. Without it a SIGKILL restores
// the last autosave, which predates whatever was delivered since.
func (m *Mosquitto) Save() {
	m.t.Helper()
	db := filepath.Join(m.dir, "mosquitto.db")
	// A save runs whole in mosquitto's one loop and ends with a rename:
	// the first rename seen may end a save already under way at the
	// signal, so wait for a second one, which began after the first.
	for range 2 {
		before := inode(db)
		m.signal(syscall.SIGUSR1)
		deadline := time.Now().Add(10 * time.Second)
		for inode(db) == before {
			if time.Now().After(deadline) {
				m.t.Fatalf("mosquitto did not save %s within 10s of SIGUSR1:\n%s", db, m.Log())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// inode identifies the file at path (0 when absent): a rename onto it
// changes it.
func inode(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// Pause freezes the broker (SIGSTOP): sockets stay open, nothing answers,
// as with a hung broker or a dead network path.
func (m *Mosquitto) Pause() { m.signal(syscall.SIGSTOP) }

// Resume continues a paused broker (SIGCONT).
func (m *Mosquitto) Resume() { m.signal(syscall.SIGCONT) }

func (m *Mosquitto) signal(sig syscall.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Signal(sig)
	}
}

func (m *Mosquitto) signalAndWait(sig syscall.Signal) {
	m.mu.Lock()
	cmd, done := m.cmd, m.done
	m.cmd = nil
	m.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGCONT) // a paused broker cannot handle SIGTERM
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (m *Mosquitto) start() {
	m.t.Helper()
	log := &lockedBuffer{}
	cmd := exec.Command(m.bin, "-c", m.conf)
	if nice, err := exec.LookPath("nice"); err == nil && m.nice != 0 {
		// nice execs the broker: the pid signalled is the broker's.
		cmd = exec.Command(nice, "-n", strconv.Itoa(m.nice), m.bin, "-c", m.conf)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		m.t.Fatalf("start mosquitto: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	m.mu.Lock()
	m.cmd, m.done, m.log = cmd, done, log
	m.mu.Unlock()

	ports := []int{m.Port, m.TLSPort, m.WSPort}
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ports {
		if p == 0 {
			continue
		}
		for {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(p), 200*time.Millisecond)
			if err == nil {
				_ = c.Close()
				break
			}
			select {
			case <-done:
				m.t.Fatalf("mosquitto exited before listening on %d:\n%s", p, log.String())
			default:
			}
			if time.Now().After(deadline) {
				m.Kill()
				m.t.Fatalf("mosquitto did not listen on %d within 10s:\n%s", p, log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func (m *Mosquitto) writeConfig(cfg MosquittoConfig) (string, error) {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("per_listener_settings false")
	if os.Geteuid() == 0 {
		// Started as root, Mosquitto drops to user "mosquitto", which cannot
		// read the test's 0700 temp dir (config, ACL, certs, persistence).
		line("user root")
	}
	line("log_dest stderr")
	line("log_type error")
	line("log_type warning")
	line("log_type notice")
	line("allow_anonymous %t", len(cfg.Users) == 0 || cfg.AllowAnonymous)
	if cfg.Persistence {
		line("persistence true")
		line("persistence_location %s/", m.dir)
		line("autosave_interval 1")
	} else {
		line("persistence false")
	}
	if cfg.ACL != "" {
		p := filepath.Join(m.dir, "acl")
		if err := os.WriteFile(p, []byte(cfg.ACL+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("write acl: %w", err)
		}
		line("acl_file %s", p)
	}
	if len(cfg.DenySubscribe)+len(cfg.DenyPublish) > 0 {
		if cfg.ACL != "" {
			return "", errors.New("ACL and DenySubscribe/DenyPublish cannot be combined")
		}
		plugin, p, err := m.writeDynsec(cfg.DenySubscribe, cfg.DenyPublish)
		if err != nil {
			return "", err
		}
		line("plugin %s", plugin)
		line("plugin_opt_config_file %s", p)
	}
	if len(cfg.Users) > 0 {
		p, err := m.writePasswords(cfg.Users)
		if err != nil {
			return "", err
		}
		line("password_file %s", p)
	}
	line("listener %d 127.0.0.1", m.Port)
	if cfg.TLS != nil {
		line("listener %d 127.0.0.1", m.TLSPort)
		line("cafile %s", cfg.TLS.CA)
		line("certfile %s", cfg.TLS.ServerCert)
		line("keyfile %s", cfg.TLS.ServerKey)
		line("require_certificate %t", cfg.RequireCertificate)
	}
	if cfg.WebSockets {
		line("listener %d 127.0.0.1", m.WSPort)
		line("protocol websockets")
	}
	for _, l := range cfg.Extra {
		line("%s", l)
	}
	p := filepath.Join(m.dir, "mosquitto.conf")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("write config: %w", err)
	}
	return p, nil
}

func (m *Mosquitto) writePasswords(users map[string]string) (string, error) {
	bin := lookTool(m.t, "mosquitto_passwd")
	p := filepath.Join(m.dir, "passwd")
	names := make([]string, 0, len(users))
	for u := range users {
		names = append(names, u)
	}
	sort.Strings(names)
	for i, u := range names {
		args := []string{"-b", p, u, users[u]}
		if i == 0 {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("mosquitto_passwd %s: %w: %s", u, err, out)
		}
	}
	return p, nil
}

// writeDynsec writes a dynamic-security configuration whose anonymous
// group has deny rules, and returns the plugin path and the file.
func (m *Mosquitto) writeDynsec(denySub, denyPub []string) (plugin, file string, err error) {
	for _, p := range []string{
		"/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
		"/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
		"/usr/lib/mosquitto_dynamic_security.so",
		"/usr/local/lib/mosquitto_dynamic_security.so",
	} {
		if _, err := os.Stat(p); err == nil {
			plugin = p
			break
		}
	}
	if plugin == "" {
		if os.Getenv(RequireEnv) == "1" {
			m.t.Fatalf("mosquitto_dynamic_security.so not found and %s=1", RequireEnv)
		}
		m.t.Skip("mosquitto_dynamic_security.so not found: cannot make Mosquitto refuse a subscription")
	}
	type acl struct {
		Type     string `json:"acltype"`
		Topic    string `json:"topic"`
		Allow    bool   `json:"allow"`
		Priority int    `json:"priority"`
	}
	var acls []acl
	for _, f := range denySub {
		acls = append(acls, acl{"subscribePattern", f, false, 1})
	}
	for _, f := range denyPub {
		acls = append(acls, acl{"publishClientSend", f, false, 1})
	}
	conf := map[string]any{
		"defaultACLAccess": map[string]bool{"publishClientSend": true, "publishClientReceive": true, "subscribe": true, "unsubscribe": true},
		"clients":          []any{},
		"groups":           []any{map[string]any{"groupname": "anonymous", "roles": []any{map[string]string{"rolename": "limited"}}, "clients": []any{}}},
		"roles":            []any{map[string]any{"rolename": "limited", "acls": acls}},
		"anonymousGroup":   "anonymous",
	}
	data, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return "", "", fmt.Errorf("dynamic security config: %w", err)
	}
	file = filepath.Join(m.dir, "dynamic-security.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return "", "", fmt.Errorf("write dynamic security config: %w", err)
	}
	return plugin, file, nil
}

// lockedBuffer collects the broker's output from its pipe goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 1<<20 {
		return len(p), nil // keep the broker running; the start of the log is what explains failures
	}
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
