package mqtttest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPKIVerifiesAsIntended(t *testing.T) {
	p := NewPKI(t)
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(p.CA)
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("read CA: %v", err)
	}
	verify := func(certFile, keyFile, host string, usage x509.ExtKeyUsage) error {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatalf("load %s: %v", certFile, err)
		}
		c, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Verify(x509.VerifyOptions{Roots: pool, DNSName: host, KeyUsages: []x509.ExtKeyUsage{usage}})
		return err
	}
	srv := x509.ExtKeyUsageServerAuth
	for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
		if err := verify(p.ServerCert, p.ServerKey, host, srv); err != nil {
			t.Errorf("server cert for %s: %v", host, err)
		}
	}
	if err := verify(p.ClientCert, p.ClientKey, "", x509.ExtKeyUsageClientAuth); err != nil {
		t.Errorf("client cert: %v", err)
	}
	var inv x509.CertificateInvalidError
	if err := verify(p.ExpiredServerCert, p.ExpiredServerKey, "127.0.0.1", srv); !errors.As(err, &inv) || inv.Reason != x509.Expired {
		t.Errorf("expired server cert: %v, want expired", err)
	}
	var host x509.HostnameError
	if err := verify(p.WrongHostCert, p.WrongHostKey, "127.0.0.1", srv); !errors.As(err, &host) {
		t.Errorf("wrong-host cert: %v, want host name error", err)
	}
	var unk x509.UnknownAuthorityError
	if err := verify(p.OtherClientCert, p.OtherClientKey, "", x509.ExtKeyUsageClientAuth); !errors.As(err, &unk) {
		t.Errorf("other-CA client cert: %v, want unknown authority", err)
	}
}

func TestMosquittoRetainedSurvivesRestartOnSamePort(t *testing.T) {
	m := StartMosquitto(t, MosquittoConfig{Persistence: true})
	port := strconv.Itoa(m.Port)
	PubCLI(t, "-h", "127.0.0.1", "-p", port, "-t", "mqtttest/r", "-m", "kept", "-r", "-q", "1")
	if out := SubCLI(t, "-h", "127.0.0.1", "-p", port, "-t", "mqtttest/#", "-C", "1", "-W", "5"); strings.TrimSpace(out) != "kept" {
		t.Fatalf("before restart got %q", out)
	}
	m.Restart()
	if m.URL() != "mqtt://127.0.0.1:"+port {
		t.Fatalf("URL changed across restart: %s", m.URL())
	}
	if out := SubCLI(t, "-h", "127.0.0.1", "-p", port, "-t", "mqtttest/#", "-C", "1", "-W", "5"); strings.TrimSpace(out) != "kept" {
		t.Fatalf("after restart got %q\nbroker log:\n%s", out, m.Log())
	}
}

func TestMosquittoTLSListenerAndACL(t *testing.T) {
	p := NewPKI(t)
	m := StartMosquitto(t, MosquittoConfig{
		TLS: p.Files(), RequireCertificate: true, WebSockets: true,
		ACL: "topic readwrite open/#\ntopic read ro/#",
	})
	if !strings.HasPrefix(m.TLSURL(), "mqtts://127.0.0.1:") || !strings.HasSuffix(m.WSURL(), "/mqtt") {
		t.Fatalf("TLSURL %q WSURL %q", m.TLSURL(), m.WSURL())
	}
	tlsArgs := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(m.TLSPort), "--cafile", p.CA, "--cert", p.ClientCert, "--key", p.ClientKey}
	PubCLI(t, append(tlsArgs, "-t", "open/x", "-m", "secure", "-r")...)
	out := SubCLI(t, append(tlsArgs, "-t", "open/#", "-C", "1", "-W", "5")...)
	if strings.TrimSpace(out) != "secure" {
		t.Fatalf("TLS round trip got %q\n%s", out, m.Log())
	}
	// The ACL denies writing under ro/: the retained message never lands.
	PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "ro/x", "-m", "denied", "-r")
	start := time.Now()
	out, _ = runCLIAllowFail(t, 5*time.Second, "mosquitto_sub", "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "ro/#", "-C", "1", "-W", "1")
	if strings.Contains(out, "denied") || time.Since(start) > 5*time.Second {
		t.Fatalf("ACL let a write through: %q", out)
	}
}

func TestPauseResume(t *testing.T) {
	m := StartMosquitto(t, MosquittoConfig{})
	m.Pause()
	// A paused broker accepts the TCP connection (kernel backlog) but never
	// answers CONNECT, so mosquitto_pub cannot finish.
	if out, err := runCLIAllowFail(t, 1500*time.Millisecond, "mosquitto_pub", "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "p", "-m", "x"); err == nil {
		t.Fatalf("publish to a paused broker succeeded: %q", out)
	}
	m.Resume()
	PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-t", "p", "-m", "after resume")
}
