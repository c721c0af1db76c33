package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// sshClient is OpenSSH's ssh with a key and a known_hosts of the test's.
type sshClient struct {
	bin, key, knownHosts, pub string
}

func newSSHClient(t *testing.T) sshClient {
	t.Helper()
	bin, err := exec.LookPath("ssh")
	if err != nil {
		if os.Getenv(mqtttest.RequireEnv) == "1" {
			t.Fatalf("ssh not on PATH and %s=1: install openssh-client", mqtttest.RequireEnv)
		}
		t.Skip("ssh not on PATH: install openssh-client to run mqdeck serve end to end")
	}
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "mqdeck e2e")
	if err != nil {
		t.Fatal(err)
	}
	c := sshClient{bin: bin, key: filepath.Join(dir, "id_ed25519"), knownHosts: filepath.Join(dir, "known_hosts")}
	if err := os.WriteFile(c.key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	c.pub = string(gossh.MarshalAuthorizedKey(signer.PublicKey()))
	return c
}

// argv is the ssh command line to user@127.0.0.1:port, then cmd.
func (c sshClient) argv(user, port string, cmd ...string) []string {
	return append([]string{c.bin, "-F", "/dev/null", "-i", c.key, "-o", "IdentitiesOnly=yes",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=" + c.knownHosts,
		"-p", port, user + "@127.0.0.1"}, cmd...)
}

// TestServeOverOpenSSH: `mqdeck serve` on Mosquitto, reached with
// OpenSSH's ssh in tmux: the fleet and the seed's events are on screen; a
// second ssh runs who and sees the session with its key's fingerprint;
// SIGTERM tells the session and mqdeck exits 0.
func TestServeOverOpenSSH(t *testing.T) {
	ssh := newSSHClient(t)
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	dir := t.TempDir()
	ops := filepath.Join(dir, "operators")
	if err := os.WriteFile(ops, []byte("not a key line\n"+ssh.pub), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPort := strconv.Itoa(mqtttest.FreePort(t))
	p := startMQDeck(t, testEnv(t), "serve", "--broker", mq.URL(), "--platform", "drivr", "--slug", seedSlug,
		"--theme", "mono", "--ssh-listen", "127.0.0.1:"+sshPort, "--host-key", filepath.Join(dir, "host_key"),
		"--operator-keys", ops, "--audit", filepath.Join(dir, "audit.jsonl"))
	waitFor(t, 15*time.Second, "serve listening", func() bool { return strings.Contains(p.stderr.String(), "connect with") })
	publishSeed(t, mq.URL(), drivrSeed())

	tm := newTmuxCmd(t, 120, 40, ssh.argv("alice", sshPort)...)
	screen := tm.waitScreen(15*time.Second, "energy-overl", "SOME_DATA_I", "connected")
	t.Logf("over ssh, 120x40:\n%s", screen)
	if !strings.Contains(p.stderr.String(), "operators:1: skipped") {
		t.Errorf("the malformed key line was not reported:\n%s", p.stderr.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ssh.bin, ssh.argv("alice", sshPort, "who")[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh who: %v\n%s", err, out)
	}
	fp := ""
	if k, _, _, _, err := gossh.ParseAuthorizedKey([]byte(ssh.pub)); err == nil {
		fp = gossh.FingerprintSHA256(k)
	}
	if !strings.Contains(string(out), "alice") || !strings.Contains(string(out), fp) || !strings.Contains(string(out), "1 session(s)") {
		t.Errorf("who:\n%s", out)
	}

	p.signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("mqdeck serve exited %d after SIGTERM\n%s", code, p.stderr.String())
	}
	tm.waitScreen(5*time.Second, "mqdeck serve: shutting down")
	tm.exited(5 * time.Second)
}

// TestDemoServeOverOpenSSH: `mqdeck demo --serve` with the user's own key
// as operator (HOME points at a directory with ~/.ssh/id_ed25519.pub).
func TestDemoServeOverOpenSSH(t *testing.T) {
	ssh := newSSHClient(t)
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519.pub"), []byte(ssh.pub), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPort := strconv.Itoa(mqtttest.FreePort(t))
	env := append(testEnv(t), "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"))
	p := startMQDeck(t, env, "demo", "--serve", "--ssh-listen", "127.0.0.1:"+sshPort)
	waitFor(t, 15*time.Second, "demo serving", func() bool { return strings.Contains(p.stderr.String(), "connect with") })
	if !strings.Contains(p.stderr.String(), "~/.ssh/id_ed25519.pub") {
		t.Errorf("the demo does not say whose keys it took:\n%s", p.stderr.String())
	}
	if fi, err := os.Stat(filepath.Join(home, "state", "mqdeck", "ssh_host_ed25519_key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("default host key: %v", err)
	}
	tm := newTmuxCmd(t, 100, 30, ssh.argv(os.Getenv("USER")+"x", sshPort)...)
	tm.waitScreen(15*time.Second, "12 systems")
	tm.keys("q")
	tm.waitScreen(5*time.Second, "mqdeck serve: bye")
	tm.exited(5 * time.Second)
	p.signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("demo --serve exited %d after SIGTERM\n%s", code, p.stderr.String())
	}
}

// TestServePanicLogHasNoSecret: a panic understanding one message, whose
// value holds the broker password (MQDECK_CRASH_TEST=pump), reaches serve's
// log with the password blanked, and serve goes on applying messages.
func TestServePanicLogHasNoSecret(t *testing.T) {
	const password = "Serve-Pw-9c1d-do-not-print"
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"op": password}})
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ops := filepath.Join(dir, "operators")
	if err := os.WriteFile(ops, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPort := strconv.Itoa(mqtttest.FreePort(t))
	p := startMQDeck(t, testEnv(t, "MQDECK_PASSWORD="+password, "MQDECK_CRASH_TEST=pump"), "serve", "--broker", mq.URL(),
		"--username", "op", "--topic", "#", "--ssh-listen", "127.0.0.1:"+sshPort, "--host-key", filepath.Join(dir, "host_key"),
		"--operator-keys", ops)
	waitFor(t, 15*time.Second, "serve listening", func() bool { return strings.Contains(p.stderr.String(), "connect with") })
	pub := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(mq.Port), "-u", "op", "-P", password}
	// Retained: it reaches serve's subscription even if that comes after.
	mqtttest.PubCLI(t, append(pub, "-t", "mqdeck/crash-test", "-m", "{}", "-r")...)
	waitFor(t, 15*time.Second, "the panic logged", func() bool {
		return strings.Contains(p.stderr.String(), "internal error understanding a message on mqdeck/crash-test")
	})
	log := p.stderr.String()
	if strings.Contains(log, password) {
		t.Fatalf("the password is in serve's log:\n%s", log)
	}
	if !strings.Contains(log, "[redacted]") {
		t.Errorf("the panic's text was not blanked:\n%s", log)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("mqdeck serve exited %d after SIGTERM\n%s", code, p.stderr.String())
	}
	if strings.Contains(p.stderr.String(), password) {
		t.Errorf("the password is in serve's log after shutdown")
	}
}

// TestServeEndsCleanlyOnHangup: serve started from a terminal that goes
// away (SIGHUP) shuts down as on SIGTERM, sessions told and the audit
// closed, instead of dying on the spot.
func TestServeEndsCleanlyOnHangup(t *testing.T) {
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ops := filepath.Join(dir, "operators")
	if err := os.WriteFile(ops, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPort := strconv.Itoa(mqtttest.FreePort(t))
	p := startMQDeck(t, testEnv(t), "serve", "--broker", mq.URL(), "--topic", "#", "--ssh-listen", "127.0.0.1:"+sshPort,
		"--host-key", filepath.Join(dir, "host_key"), "--operator-keys", ops, "--audit", filepath.Join(dir, "audit.jsonl"))
	waitFor(t, 15*time.Second, "serve listening", func() bool { return strings.Contains(p.stderr.String(), "connect with") })
	p.signal(syscall.SIGHUP)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("mqdeck serve exited %d after SIGHUP\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "mqdeck serve: stopped") {
		t.Errorf("serve did not shut down the orderly way:\n%s", p.stderr.String())
	}
}
