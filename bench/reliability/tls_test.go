package reliability

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// TLS failures (issue 9, item 6), through the real binary against Mosquitto
// with generated certificates: each refusal ends `mqdeck log` with exit 1
// and exactly one line on stderr that says which failure it was, for both
// protocols and auto. --insecure connects to a broker whose certificate does
// not verify, and says so on stderr before anything else.
func TestTLSFailuresOneClearLine(t *testing.T) {
	t.Parallel() // waits more than it works: overlaps with the others like it
	pki := mqtttest.NewPKI(t)
	valid := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: pki.Files()})
	expired := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: &mqtttest.TLSFiles{CA: pki.CA, ServerCert: pki.ExpiredServerCert, ServerKey: pki.ExpiredServerKey}})
	wrongHost := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: &mqtttest.TLSFiles{CA: pki.CA, ServerCert: pki.WrongHostCert, ServerKey: pki.WrongHostKey}})
	mtls := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: pki.Files(), RequireCertificate: true})

	cases := []struct {
		name string
		args []string
		want []string // all of these in the one line
	}{
		{"wrong CA", []string{"--broker", valid.TLSURL(), "--cacert", pki.OtherCA}, []string{"TLS verification failed", "unknown authority", "--cacert"}},
		{"no CA given (system roots)", []string{"--broker", valid.TLSURL()}, []string{"TLS verification failed", "unknown authority"}},
		{"expired server certificate", []string{"--broker", expired.TLSURL(), "--cacert", pki.CA}, []string{"TLS verification failed", "expired"}},
		{"host name mismatch (IP)", []string{"--broker", wrongHost.TLSURL(), "--cacert", pki.CA}, []string{"TLS verification failed", "does not match the host name", "127.0.0.1"}},
		{"host name mismatch (name)", []string{"--broker", strings.Replace(wrongHost.TLSURL(), "127.0.0.1", "localhost", 1), "--cacert", pki.CA}, []string{"TLS verification failed", "does not match the host name", "broker.invalid", "localhost"}},
		{"missing client certificate", []string{"--broker", mtls.TLSURL(), "--cacert", pki.CA}, []string{"bad client certificate", "requires a client certificate", "--cert"}},
		{"expired client certificate", []string{"--broker", mtls.TLSURL(), "--cacert", pki.CA, "--cert", pki.ExpiredClientCert, "--key", pki.ExpiredClientKey}, []string{"bad client certificate", "does not accept this client certificate"}},
		{"client certificate of another CA", []string{"--broker", mtls.TLSURL(), "--cacert", pki.CA, "--cert", pki.OtherClientCert, "--key", pki.OtherClientKey}, []string{"bad client certificate", "does not accept this client certificate"}},
	}
	for _, c := range cases {
		for _, proto := range []string{"5", "3.1.1", "auto"} {
			args := append([]string{"log", "--mqtt-version", proto, "--connect-timeout", "5s"}, c.args...)
			start := time.Now()
			p := startMqdeck(t, nil, args...)
			code := p.wait(15 * time.Second)
			took := time.Since(start)
			lines := p.stderr()
			if code != 1 || len(lines) != 1 {
				t.Errorf("%s (%s): exit %d with %d stderr lines, want exit 1 and one line:\n%s", c.name, proto, code, len(lines), p.stderrText())
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(lines[0].text, w) {
					t.Errorf("%s (%s): %q lacks %q", c.name, proto, lines[0].text, w)
				}
			}
			if took > 5*time.Second {
				t.Errorf("%s (%s): took %s, past the connect timeout", c.name, proto, took)
			}
			if proto == "5" {
				t.Logf("%-34s %s", c.name+":", lines[0].text)
			}
		}
	}

	// --insecure: connects despite the wrong host name, warns first.
	p := startMqdeck(t, nil, "log", "--broker", wrongHost.TLSURL(), "--insecure", "--topic", "tls/#", "-n", "1", "-v")
	if _, ok := p.waitStderr(10*time.Second, "subscribed"); !ok {
		t.Fatalf("--insecure did not connect:\n%s", p.stderrText())
	}
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(wrongHost.Port), "-t", "tls/x", "-m", "through")
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("--insecure run exit %d:\n%s", code, p.stderrText())
	}
	first := p.stderr()[0].text
	if !strings.Contains(first, "--insecure") || !strings.Contains(first, "not verified") {
		t.Errorf("the --insecure warning does not say the certificate is unverified: %q", first)
	}
	t.Logf("%-34s %s", "--insecure:", first)

	// The console keeps the warning on its status bar for as long as it runs.
	t.Run("console", func(t *testing.T) {
		needTools(t, "tmux")
		tmp := t.TempDir()
		tm := hostile.Tmux{Socket: hostile.PrivateSocket("tls"), Target: "i"}
		t.Cleanup(tm.Kill)
		if err := tm.Start(150, 30, []string{"HOME=" + tmp, "TMPDIR=" + tmp}, mqdeckBin(), "--broker", wrongHost.TLSURL(), "--insecure"); err != nil {
			t.Fatal(err)
		}
		if _, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
			s, _ := tm.CaptureAll()
			t.Fatalf("console with --insecure did not connect:\n%s", s)
		}
		time.Sleep(6 * time.Second) // past any notice's lifetime
		status := statusLine(tm)
		t.Logf("%-34s %s", "--insecure, console after 6 s:", status)
		if !strings.Contains(status, "INSECURE TLS") {
			t.Errorf("the console's status bar lost the --insecure warning: %s", status)
		}

	})
}
