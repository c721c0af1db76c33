package sim

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// cli finds a Mosquitto client tool; without it the test skips, or fails
// when MQDECK_REQUIRE_MOSQUITTO=1.
func cli(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(mqtttest.RequireEnv) == "1" {
			t.Fatalf("%s not found and %s=1", name, mqtttest.RequireEnv)
		}
		t.Skipf("%s not installed: this test drives the simulator with a real MQTT client", name)
	}
	return p
}

// liveSub is a mosquitto_sub whose output lines are read as they come.
type liveSub struct {
	lines   chan string
	backlog []string // read while waiting for the marker (retained messages)
}

const readyTopic = "mqdeck-test/ready"

// startSub runs mosquitto_sub on the topics (plus a marker topic) with
// format "%t|%C|%P|%p" and returns once it receives: mark publishes the
// marker, again and again until it shows up.
func startSub(t *testing.T, mark func(), conn []string, topics ...string) *liveSub {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	args := append(append([]string{}, conn...), "-F", "%t|%C|%P|%p", "-t", readyTopic)
	for _, tp := range topics {
		args = append(args, "-t", tp)
	}
	cmd := exec.CommandContext(ctx, cli(t, "mosquitto_sub"), args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	l := &liveSub{lines: make(chan string, 4096)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			select {
			case l.lines <- sc.Text():
			default: // the test stopped reading; drop
			}
		}
		close(l.lines)
	}()
	for i := 0; i < 100; i++ {
		mark()
		select {
		case line, ok := <-l.lines:
			if !ok {
				t.Fatal("mosquitto_sub exited")
			}
			if strings.HasPrefix(line, readyTopic+"|") {
				return l
			}
			l.backlog = append(l.backlog, line)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("mosquitto_sub not receiving after 5 s")
	return nil
}

// until reads lines (skipping markers) until pred accepts one or the time
// runs out; it returns what it read.
func (l *liveSub) until(t *testing.T, timeout time.Duration, pred func(line string) bool) []string {
	t.Helper()
	var seen []string
	for len(l.backlog) > 0 {
		line := l.backlog[0]
		l.backlog = l.backlog[1:]
		seen = append(seen, line)
		if pred(line) {
			return seen
		}
	}
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-l.lines:
			if !ok {
				t.Fatalf("mosquitto_sub exited; read:\n%s", strings.Join(seen, "\n"))
			}
			if strings.HasPrefix(line, readyTopic+"|") {
				continue
			}
			seen = append(seen, line)
			if pred(line) {
				return seen
			}
		case <-deadline:
			t.Fatalf("not seen within %v; read:\n%s", timeout, strings.Join(seen, "\n"))
		}
	}
}

// TestEmbeddedBrokerWithRealClients runs the simulator as `mqdeck demo`
// does (BrokerBus, real clock) and talks to it over TCP with mosquitto_pub
// and mosquitto_sub.
func TestEmbeddedBrokerWithRealClients(t *testing.T) {
	cli(t, "mosquitto_pub")
	b := mqtttest.EmbeddedBroker(t)
	port := strconv.Itoa(b.Port())
	s := New(Config{}, NewBrokerBus(b))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	conn := []string{"-h", "127.0.0.1", "-p", port, "-V", "5"}

	// The retained picture arrives on subscribe: every system at once.
	for i := 0; i < 100 && s.Stats().Published < 50; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	out := mqtttest.SubCLI(t, append(conn, "-t", slugBase+"/systems/+", "-C", strconv.Itoa(DefaultSystems), "-W", "5", "-v")...)
	if n := strings.Count(out, `"connectionState":`); n != DefaultSystems {
		t.Fatalf("%d retained systems, want %d:\n%s", n, DefaultSystems, out)
	}

	mark := func() { _ = b.Publish(readyTopic, []byte("x"), false, 0) }

	// The seed's bad request is answered on its /error twin, byte for byte.
	sub := startSub(t, mark, conn, sysInput+"/error", emsTopic+"/events/#")
	mqtttest.PubCLI(t, append(conn, "-t", sysInput, "-m", string(seedJSON(t, mkBadFieldReq)))...)
	want := sysInput + "/error|||" + string(seedJSON(t, mkBadFieldErr))
	sub.until(t, 10*time.Second, func(l string) bool { return l == want })

	// A valid request creates the event and its state.
	mqtttest.PubCLI(t, append(conn, "-t", sysInput, "-m", string(seedJSON(t, mkSysRequest)))...)
	var event string
	sub.until(t, 10*time.Second, func(l string) bool {
		if strings.Contains(l, `"time":"2025-05-09T13:28:42.611276+00:00"`) {
			event = l[:strings.IndexByte(l, '|')]
		}
		return event != "" && l == event+"/state|||ACTIVE"
	})

	// Drogue: both CloudEvents modes arrive with their MQTT 5 properties.
	drogue := startSub(t, mark, conn, "app/demo-app")
	drogue.until(t, 10*time.Second, func(l string) bool {
		return strings.HasPrefix(l, "app/demo-app|application/cloudevents+json; charset=utf-8||{\"specversion\":\"1.0\"")
	})
	drogue.until(t, 10*time.Second, func(l string) bool {
		return strings.HasPrefix(l, "app/demo-app|application/json|specversion:1.0") && strings.Contains(l, "type:io.drogue.event.v1")
	})

	// Device API snapshot: the access key is a user property.
	id := s.DeviceIDs()[0]
	dev := startSub(t, mark, conn, "v1/device/"+id+"/space_info", "v1/device/"+id+"/firmware")
	mqtttest.PubCLI(t, append(conn, "-t", "v1/device/"+id+"/get", "-m", "{}", "-D", "publish", "user-property", "access_key", DefaultAccessKey)...)
	dev.until(t, 10*time.Second, func(l string) bool { return strings.HasPrefix(l, "v1/device/"+id+"/space_info|||{\"location\"") })
	dev.until(t, 10*time.Second, func(l string) bool {
		return strings.HasPrefix(l, "v1/device/"+id+"/firmware|||{\"latest_fw_version\":\"1.0.8\"")
	})
	// A request is counted once its handler returns, which is after it
	// published the answers seen above: wait for the count, bounded.
	st := s.Stats()
	for deadline := time.Now().Add(5 * time.Second); st.Inputs < 3 && time.Now().Before(deadline); st = s.Stats() {
		time.Sleep(10 * time.Millisecond)
	}
	if st.Published == 0 || st.PublishErrors != 0 || st.Inputs < 3 {
		t.Fatalf("stats %+v (last error %v)", st, s.LastError())
	}
}

// TestMosquittoThroughClient runs the simulator as `mqdeck sim --broker`
// does: through an mqttconn.Client to Mosquitto, over MQTT 5 and over
// 3.1.1 (DRIVR's protocol), answering mosquitto_pub requests.
func TestMosquittoThroughClient(t *testing.T) {
	cli(t, "mosquitto_pub")
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	port := strconv.Itoa(m.Port)
	for _, proto := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		t.Run(string(proto), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			s, c, err := Connect(ctx, Config{Seed: 3}, mqttconn.Options{Broker: m.URL(), Protocol: proto, ClientID: "mqdeck-sim-" + string(proto)})
			if err != nil {
				cancel()
				t.Fatal(err)
			}
			if c.Protocol() != string(proto) {
				t.Errorf("protocol %q", c.Protocol())
			}
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("Run: %v", err)
				}
				_ = c.Close()
			}()
			conn := []string{"-h", "127.0.0.1", "-p", port, "-V", "5"}
			mark := func() { mqtttest.PubCLI(t, append(conn, "-t", readyTopic, "-m", "x")...) }

			sub := startSub(t, mark, conn, compInput+"/error", meterTopic+"/events/#", slugBase+"/systems/+")
			// Retained systems, published through the client, arrive first.
			sub.until(t, 10*time.Second, func(l string) bool { return strings.HasPrefix(l, emsTopic+"|||{\"uuid\":\""+SeedSystemUUID) })
			mqtttest.PubCLI(t, append(conn, "-t", compInput, "-m", string(seedJSON(t, mkBadModelReq)))...)
			want := compInput + "/error|||" + string(seedJSON(t, mkBadModelErr))
			sub.until(t, 10*time.Second, func(l string) bool { return l == want })
			mqtttest.PubCLI(t, append(conn, "-t", compInput, "-m", string(seedJSON(t, mkCompRequest)))...)
			sub.until(t, 10*time.Second, func(l string) bool {
				return strings.HasPrefix(l, meterTopic+"/events/") && strings.Contains(l, `"status":"ACTIVE"`)
			})

			if proto == mqttconn.Protocol5 {
				// Device API command lifecycle, user properties included.
				id := s.DeviceIDs()[0]
				dev := startSub(t, mark, conn, "v1/device/"+id+"/commands/update")
				mqtttest.PubCLI(t, append(conn, "-t", "v1/device/"+id+"/commands", "-m", `{"id":"c-1","status":"pending","name":"reboot","parameters":{}}`)...)
				dev.until(t, 10*time.Second, func(l string) bool {
					return strings.Contains(l, "device_id:"+id) && strings.HasSuffix(l, `{"status":"in_progress","message":"executing reboot","id":"c-1"}`)
				})
				dev.until(t, 10*time.Second, func(l string) bool { return strings.HasSuffix(l, `{"status":"done","message":"rebooted","id":"c-1"}`) })
			}
			if st := s.Stats(); st.PublishErrors != 0 {
				t.Fatalf("publish errors: %+v, last %v", st, s.LastError())
			}
		})
	}
}
