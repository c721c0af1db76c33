// Package mqtttest holds test helpers for packages that need a real broker
// on 127.0.0.1: the embedded mochi broker, a Mosquitto launcher with a
// generated configuration, generated TLS material, and the mosquitto_pub CLI.
package mqtttest

import (
	"net"
	"os"
	"os/exec"
	"testing"

	"github.com/mqdeck/mqdeck/mqttconn/broker"
)

// RequireEnv names the variable that turns "Mosquitto missing" from a skip
// into a failure (CI sets it).
const RequireEnv = "MQDECK_REQUIRE_MOSQUITTO"

// Embedded starts an embedded broker on a free loopback port and returns its
// URL (mqtt://127.0.0.1:PORT). It is closed when the test ends.
func Embedded(t testing.TB) string {
	t.Helper()
	return EmbeddedBroker(t).URL()
}

// EmbeddedBroker is Embedded returning the broker itself, for inline
// publishing and subscribing without a socket.
func EmbeddedBroker(t testing.TB) *broker.Broker {
	t.Helper()
	return EmbeddedConfig(t, broker.Config{Addr: "127.0.0.1:0"})
}

// EmbeddedConfig starts an embedded broker as cfg says (e.g. with a
// websocket listener: WSAddr "127.0.0.1:0").
func EmbeddedConfig(t testing.TB, cfg broker.Config) *broker.Broker {
	t.Helper()
	b, err := broker.StartConfig(cfg)
	if err != nil {
		t.Fatalf("embedded broker: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lookTool finds a Mosquitto binary on PATH or in the usual sbin places;
// missing means skip, or fail when RequireEnv=1.
func lookTool(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin/", "/usr/local/sbin/", "/usr/bin/", "/usr/local/bin/"} {
		if st, err := os.Stat(dir + name); err == nil && !st.IsDir() {
			return dir + name
		}
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s not on PATH (nor in /usr/sbin) and %s=1: install Mosquitto (apt-get install mosquitto mosquitto-clients)", name, RequireEnv)
	}
	t.Skipf("%s not on PATH: install Mosquitto (apt-get install mosquitto mosquitto-clients) or set %s=1 to make this a failure", name, RequireEnv)
	return ""
}
