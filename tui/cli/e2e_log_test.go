package cli

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// The DRIVR examples of ../shared/seeds/001_f5359da1be9c1c0e.txt, as the
// platform publishes them.
const (
	seedSlug      = "company-example"
	seedSystem    = "792b6149-1daa-488f-b07a-f684503b0586"
	seedEvent     = "a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
	seedComponent = "smart-meter-v2"
	seedCompUUID  = "6d6eb245-599e-42c6-b1a6-009805655fbd"
	seedCompEvent = "5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd"
)

type seedMsg struct {
	topic, payload string
	kind           string            // expected kind
	ids            map[string]string // expected ids
}

func drivrSeed() []seedMsg {
	base := "drivr/v1/" + seedSlug
	sysEvent := base + "/systems/" + seedSystem + "/events/" + seedEvent
	compEvent := base + "/systems/" + seedSystem + "/components/" + seedComponent + "/events/" + seedCompEvent
	sysInput := base + "/input/event/s/" + seedSystem + "/json"
	compInput := base + "/input/event/c/" + seedCompUUID + "/json"
	return []seedMsg{
		{sysEvent, `{ "uuid": "a707aa3a-b44f-42e0-9ab8-b8efe13409c8", "createdAt": "2025-05-09T13:28:42.658581", "updatedAt": "2025-05-09T13:28:42.658962", "entityUuid": "792b6149-1daa-488f-b07a-f684503b0586", "time": "2025-05-09T13:28:42.611276+00:00", "endTime": null, "status": null, "acknowledged": false, "eventModel": { "uuid": "c867ee9d-52f1-4819-9bfc-b64d6321a04b", "entityType": "SYSTEM", "eventType": "SINGLE_POINT", "eventLevel": "ERROR", "code": "energy-overload-model", "message": null }, "metadata": {} }`,
			"event", map[string]string{"system": seedSystem, "event": seedEvent}},
		{sysEvent + "/state", `ACTIVE`, "event_state", map[string]string{"system": seedSystem, "event": seedEvent}},
		{sysEvent + "/ack", `{ "time": "2025-05-06T14:39:44.368252+00:00", "userUuid": "8718ca2a-5134-41bb-ab81-b65cec310ab9" }`,
			"event_ack", map[string]string{"system": seedSystem, "event": seedEvent}},
		{compEvent, `{ "uuid": "5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd", "createdAt": "2025-05-12T08:50:57.901967", "updatedAt": "2025-05-12T08:50:57.902972", "entityUuid": "6d6eb245-599e-42c6-b1a6-009805655fbd", "time": "2025-05-12T08:50:57.847702+00:00", "endTime": null, "status": "ACTIVE", "acknowledged": false, "eventModel": { "uuid": "6b5e0830-6d7d-4871-9c1a-4a6e899aa5c7", "entityType": "COMPONENT", "eventType": "RANGED", "eventLevel": "ERROR", "code": "smart-meter-malfunction-event", "message": null }, "metadata": {} }`,
			"event", map[string]string{"system": seedSystem, "component": seedComponent, "event": seedCompEvent}},
		{sysInput + "/error", `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "validation_error", "message": { "eventModel": ["Unknown field."] } } ] } }`,
			"error", map[string]string{"input": sysInput}},
		{compInput + "/error", `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "event_model_does_not_exist", "message": "An event model with the code en does not exist" }] } }`,
			"error", map[string]string{"input": compInput}},
	}
}

func port(url string) string { return url[strings.LastIndexByte(url, ':')+1:] }

// TestLogEmbeddedBroker: the embedded broker's inline client publishes text,
// JSON with MQTT 5 properties and MsgPack; log prints them and exits 0.
func TestLogEmbeddedBroker(t *testing.T) {
	b := mqtttest.EmbeddedBroker(t)
	p := startMQDeck(t, testEnv(t), "log", "-n", "3", "-v", "--broker", b.URL(), "--topic", "lab/#")
	waitFor(t, 10*time.Second, "the subscription", func() bool { return strings.Contains(p.stderr.String(), `subscribed "lab/#"`) })

	pf := byte(1)
	must(t, b.Publish("lab/text", []byte("ACTIVE"), false, 0))
	must(t, b.PublishProps("lab/json", []byte(`{"b":2,"a":[1,"x"]}`), false, 0, &mqttconn.Props{
		ContentType: "application/json", PayloadFormat: &pf, ResponseTopic: "lab/reply", CorrelationData: []byte("c-1"),
		User: []mqttconn.UserProperty{{Key: "k", Value: "v1"}, {Key: "k", Value: "v2"}, {Key: "access_key", Value: "dev-secret"}},
	}))
	must(t, b.Publish("lab/msgpack", []byte{0x82, 0xa1, 'z', 0x01, 0xa1, 'a', 0xc3}, false, 0))
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.stderr)
	}
	got := byTopic(logLines(t, p.stdout.String()))
	if len(got) != 3 {
		t.Fatalf("want 3 messages, got %d:\n%s", len(got), p.stdout)
	}
	if l := got["lab/text"]; l["payload"] != "ACTIVE" || l["format"] != "text" || l["value"] != "ACTIVE" || l["kind"] != "raw" || l["platform"] != "generic" {
		t.Errorf("text: %v", l)
	}
	j := got["lab/json"]
	props, _ := j["props"].(map[string]any)
	if j["format"] != "json" || props["contentType"] != "application/json" || props["responseTopic"] != "lab/reply" || props["correlationData"] != "c-1" {
		t.Errorf("json: %v", j)
	}
	if user := jsonString(props["user"]); user != `[["k","v1"],["k","v2"],["access_key","[redacted]"]]` {
		t.Errorf("user properties %s", user)
	}
	if !strings.Contains(p.stdout.String(), `"value":{"b":2,"a":[1,"x"]}`) {
		t.Errorf("value in wire order missing: %s", p.stdout)
	}
	if strings.Contains(p.stdout.String(), "dev-secret") {
		t.Error("an access_key value was printed")
	}
	mp := got["lab/msgpack"]
	if mp["format"] != "msgpack" || !strings.Contains(p.stdout.String(), `"value":{"z":1,"a":true}`) || mp["payload_b64"] != base64.StdEncoding.EncodeToString([]byte{0x82, 0xa1, 'z', 0x01, 0xa1, 'a', 0xc3}) {
		t.Errorf("msgpack: %v", mp)
	}
	if !strings.Contains(p.stderr.String(), "3 messages,") {
		t.Errorf("-v stats missing: %s", p.stderr)
	}
}

// TestLogMosquittoPub: a real third-party client publishes MQTT 5 user
// properties and content type to Mosquitto; log prints them in order.
func TestLogMosquittoPub(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	for _, version := range []string{"5", "3.1.1"} {
		t.Run(version, func(t *testing.T) {
			topic := "lab/v" + version
			p := startMQDeck(t, testEnv(t), "log", "-n", "2", "-v", "--broker", m.URL(), "--mqtt-version", version, "--topic", topic+"/#", "--qos", "1")
			waitFor(t, 10*time.Second, "the subscription", func() bool { return strings.Contains(p.stderr.String(), "subscribed") })
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-V", "mqttv5", "-q", "1", "-t", topic+"/json",
				"-m", `{"temp":21.5,"unit":"C"}`,
				"-D", "publish", "user-property", "site", "north",
				"-D", "publish", "user-property", "site", "south",
				"-D", "publish", "content-type", "application/json",
				"-D", "publish", "response-topic", "lab/reply",
				"-D", "publish", "correlation-data", "corr-7")
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-V", "mqttv311", "-t", topic+"/state", "-m", "ONLINE", "-r")
			if code := p.wait(t, 10*time.Second); code != 0 {
				t.Fatalf("exit %d\n%s", code, p.stderr)
			}
			if !strings.Contains(p.stderr.String(), "(MQTT "+version+")") {
				t.Errorf("protocol not reported: %s", p.stderr)
			}
			got := byTopic(logLines(t, p.stdout.String()))
			j := got[topic+"/json"]
			if j == nil || j["qos"] != 1.0 || j["format"] != "json" || !strings.Contains(p.stdout.String(), `"value":{"temp":21.5,"unit":"C"}`) {
				t.Fatalf("json line: %v", j)
			}
			props, _ := j["props"].(map[string]any)
			if version == "5" {
				if props["contentType"] != "application/json" || props["responseTopic"] != "lab/reply" || props["correlationData"] != "corr-7" ||
					jsonString(props["user"]) != `[["site","north"],["site","south"]]` {
					t.Errorf("MQTT 5 properties: %v", props)
				}
			} else if props != nil {
				t.Errorf("MQTT 3.1.1 has no properties, got %v", props)
			}
			if s := got[topic+"/state"]; s == nil || s["payload"] != "ONLINE" || s["retain"] != false {
				t.Errorf("state line (live, so not retained): %v", s)
			}
			// Clean the retained message for the next run.
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-t", topic+"/state", "-r", "-n")
		})
	}
}

// TestLogDRIVRSeed: the seed-001 topics and payloads, retained on the
// broker by a real client, come out with their kinds and ids.
func TestLogDRIVRSeed(t *testing.T) {
	seed := drivrSeed()
	check := func(t *testing.T, url string) {
		p := runMQDeck(t, 15*time.Second, testEnv(t), "log", "--broker", url, "--platform", "drivr", "--slug", seedSlug, "-n", strconv.Itoa(len(seed)))
		if p.code != 0 {
			t.Fatalf("exit %d\n%s", p.code, p.stderr)
		}
		got := byTopic(logLines(t, p.stdout.String()))
		for _, s := range seed {
			l := got[s.topic]
			if l == nil {
				t.Errorf("%s: not printed", s.topic)
				continue
			}
			if l["platform"] != "drivr" || l["kind"] != s.kind || l["retain"] != true || l["fleet"] != seedSlug {
				t.Errorf("%s: platform %v kind %v (want %s) retain %v fleet %v", s.topic, l["platform"], l["kind"], s.kind, l["retain"], l["fleet"])
			}
			for k, want := range s.ids {
				if l[k] != want {
					t.Errorf("%s: %s = %v, want %s", s.topic, k, l[k], want)
				}
			}
			if l["value"] == nil {
				t.Errorf("%s: not decoded: %v", s.topic, l)
			}
		}
		if l := got[seed[1].topic]; l != nil && (l["format"] != "text" || l["value"] != "ACTIVE") {
			t.Errorf("event state: %v", l)
		}
		if l := got[seed[4].topic]; l != nil {
			v, _ := l["value"].(map[string]any)
			if v["code"] != "SOME_DATA_INVALID" {
				t.Errorf("error report value: %v", l["value"])
			}
		}
	}
	t.Run("embedded", func(t *testing.T) {
		b := mqtttest.EmbeddedBroker(t)
		for _, s := range seed {
			must(t, b.Publish(s.topic, []byte(s.payload), true, 0))
		}
		check(t, b.URL())
	})
	t.Run("mosquitto", func(t *testing.T) {
		m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
		for _, s := range seed {
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-r", "-t", s.topic, "-m", s.payload)
		}
		check(t, m.URL())
	})
}

// TestLogConnectFailures: the first connection failing ends log non-zero
// within --connect-timeout, with one line that says what failed.
func TestLogConnectFailures(t *testing.T) {
	const secret = "Wr0ng-but-Secret-pw"
	t.Run("refused", func(t *testing.T) {
		url := "mqtt://127.0.0.1:" + strconv.Itoa(mqtttest.FreePort(t))
		p := runMQDeck(t, 10*time.Second, testEnv(t), "log", "--broker", url, "--connect-timeout", "3s")
		oneFailureLine(t, p, 3*time.Second, "connection refused")
	})
	t.Run("silent peer times out", func(t *testing.T) {
		ln := silentListener(t)
		p := runMQDeck(t, 10*time.Second, testEnv(t), "log", "--broker", "mqtt://"+ln, "--connect-timeout", "1s")
		oneFailureLine(t, p, time.Second, "timed out")
	})
	t.Run("bad url", func(t *testing.T) {
		p := runMQDeck(t, 10*time.Second, testEnv(t), "log", "--broker", "http://127.0.0.1:1")
		if p.code != exitUsage || len(stderrLines(p.stderr.String())) != 1 {
			t.Errorf("exit %d, stderr %q", p.code, p.stderr)
		}
	})

	pki := mqtttest.NewPKI(t)
	tlsBroker := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: pki.Files()})
	t.Run("TLS verification", func(t *testing.T) {
		p := runMQDeck(t, 10*time.Second, testEnv(t), "log", "--broker", tlsBroker.TLSURL(), "--connect-timeout", "3s")
		oneFailureLine(t, p, 3*time.Second, "TLS verification failed")
	})
	t.Run("TLS with the CA works", func(t *testing.T) {
		p := startMQDeck(t, testEnv(t), "log", "--broker", tlsBroker.TLSURL(), "--cacert", pki.CA, "-n", "1", "-v", "--topic", "tls/x")
		waitFor(t, 10*time.Second, "the subscription", func() bool { return strings.Contains(p.stderr.String(), "subscribed") })
		mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(tlsBroker.URL()), "-t", "tls/x", "-m", "hello")
		if code := p.wait(t, 10*time.Second); code != 0 || !strings.Contains(p.stdout.String(), `"payload":"hello"`) {
			t.Errorf("exit %d, out %s, err %s", code, p.stdout, p.stderr)
		}
	})

	certBroker := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{TLS: pki.Files(), RequireCertificate: true})
	t.Run("client certificate missing", func(t *testing.T) {
		p := runMQDeck(t, 10*time.Second, testEnv(t), "log", "--broker", certBroker.TLSURL(), "--cacert", pki.CA, "--connect-timeout", "3s")
		oneFailureLine(t, p, 3*time.Second, "bad client certificate")
	})
	t.Run("client certificate from another CA", func(t *testing.T) {
		p := runMQDeck(t, 10*time.Second, testEnv(t), "log", "--broker", certBroker.TLSURL(), "--cacert", pki.CA,
			"--cert", pki.OtherClientCert, "--key", pki.OtherClientKey, "--connect-timeout", "3s")
		oneFailureLine(t, p, 3*time.Second, "bad client certificate")
	})

	authBroker := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"alice": "right-password"}})
	t.Run("not authorized", func(t *testing.T) {
		p := runMQDeck(t, 10*time.Second, testEnv(t, "MQDECK_PASSWORD="+secret), "log", "--broker", authBroker.URL(), "--username", "alice", "--connect-timeout", "3s")
		oneFailureLine(t, p, 3*time.Second, "not authorized")
		if strings.Contains(p.stdout.String()+p.stderr.String(), secret) {
			t.Error("the password was printed")
		}
	})
}

// oneFailureLine checks a failed first connection: non-zero exit within
// the timeout (plus start-up slack), exactly one stderr line, nothing on
// stdout, and the line names the failure.
func oneFailureLine(t *testing.T, p *proc, timeout time.Duration, want string) {
	t.Helper()
	lines := stderrLines(p.stderr.String())
	if p.code == 0 || p.code == -1 {
		t.Errorf("exit code %d, want a failure", p.code)
	}
	if p.elapsed > timeout+1500*time.Millisecond {
		t.Errorf("took %s, more than the connect timeout %s", p.elapsed, timeout)
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "mqdeck: ") || !strings.Contains(lines[0], want) {
		t.Errorf("want one line containing %q, got %q", want, lines)
	}
	if p.stdout.String() != "" {
		t.Errorf("stdout not empty: %q", p.stdout)
	}
	t.Logf("exit %d after %s: %s", p.code, p.elapsed.Round(time.Millisecond), strings.Join(lines, " | "))
}

// TestLogSecretNeverPrinted: with the password in the environment or a
// file, it reaches the broker but no argument list, output, log or
// recording.
func TestLogSecretNeverPrinted(t *testing.T) {
	const secret = "C0rrect-Horse-Battery"
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"alice": secret}})
	dir := t.TempDir()
	pwFile := writeFile(t, filepath.Join(dir, "pw"), secret+"\n", 0o600)
	rec := filepath.Join(dir, "rec.jsonl")
	for name, args := range map[string][]string{
		"env":  {"--password-env", "LAB_PW"},
		"file": {"--password-file", pwFile},
	} {
		t.Run(name, func(t *testing.T) {
			all := append([]string{"log", "-v", "-n", "1", "--broker", m.URL(), "--username", "alice", "--topic", "s/#", "--record", rec}, args...)
			p := startMQDeck(t, testEnv(t, "LAB_PW="+secret), all...)
			waitFor(t, 10*time.Second, "the subscription", func() bool { return strings.Contains(p.stderr.String(), "subscribed") })
			if cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/cmdline"); err == nil && strings.Contains(string(cmdline), secret) {
				t.Error("the secret is in the argument list")
			}
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-u", "alice", "-P", secret, "-t", "s/x", "-m", "ok")
			if code := p.wait(t, 10*time.Second); code != 0 {
				t.Fatalf("exit %d: %s", code, p.stderr)
			}
			recorded, _ := os.ReadFile(rec)
			for what, s := range map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String(), "recording": string(recorded)} {
				if strings.Contains(s, secret) {
					t.Errorf("the secret is in %s", what)
				}
			}
			if !strings.Contains(string(recorded), `"payload":"ok"`) {
				t.Errorf("recording: %s", recorded)
			}
		})
	}
}

// TestLogSubscriptionRefused: a filter the broker refuses is reported, and
// when nothing at all is granted log ends with an error instead of waiting.
func TestLogSubscriptionRefused(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{DenySubscribe: []string{"secret/#"}})
	p := runMQDeck(t, 15*time.Second, testEnv(t), "log", "--broker", m.URL(), "--mqtt-version", "5", "--topic", "secret/#")
	if p.code == 0 || !strings.Contains(p.stderr.String(), `subscription "secret/#" refused`) || !strings.Contains(p.stderr.String(), "no subscription granted") {
		t.Errorf("exit %d, stderr %s", p.code, p.stderr)
	}
	// One refused, one granted: it keeps running and says which was refused.
	p = startMQDeck(t, testEnv(t), "log", "--broker", m.URL(), "--mqtt-version", "5", "--topic", "secret/#", "--topic", "open/#", "-n", "1")
	waitFor(t, 10*time.Second, "the refusal", func() bool { return strings.Contains(p.stderr.String(), `"secret/#" refused`) })
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-t", "open/x", "-m", "fine")
	if code := p.wait(t, 10*time.Second); code != 0 || !strings.Contains(p.stdout.String(), `"topic":"open/x"`) {
		t.Errorf("exit %d out %s err %s", code, p.stdout, p.stderr)
	}
}

// TestLogInterrupt: Ctrl-C flushes what was received and exits 0.
func TestLogInterrupt(t *testing.T) {
	b := mqtttest.EmbeddedBroker(t)
	p := startMQDeck(t, testEnv(t), "log", "-v", "--broker", b.URL(), "--topic", "i/#")
	waitFor(t, 10*time.Second, "the subscription", func() bool { return strings.Contains(p.stderr.String(), "subscribed") })
	must(t, b.Publish("i/one", []byte("1"), false, 0))
	waitFor(t, 5*time.Second, "the line", func() bool { return strings.Contains(p.stdout.String(), `"topic":"i/one"`) })
	p.signal(syscall.SIGINT)
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit %d after SIGINT: %s", code, p.stderr)
	}
}

// silentListener accepts TCP connections on loopback and never answers,
// like a broker that hangs. It returns host:port.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// jsonString renders a decoded JSON value back to text (arrays keep order).
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestLogSurvivesBrokerRestart: when Mosquitto goes away and comes back on
// the same port, log says so on stderr, reconnects by itself, subscribes
// again and goes on printing.
func TestLogSurvivesBrokerRestart(t *testing.T) {
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	p := startMQDeck(t, testEnv(t), "log", "-v", "--broker", m.URL(), "--topic", "r/#", "-n", "2", "--backoff-max", "1s")
	waitFor(t, 10*time.Second, "the subscription", func() bool { return strings.Contains(p.stderr.String(), "subscribed") })
	mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-t", "r/before", "-m", "1")
	waitFor(t, 10*time.Second, "the first line", func() bool { return strings.Contains(p.stdout.String(), `"topic":"r/before"`) })
	m.Restart()
	waitFor(t, 15*time.Second, "the reconnection notice", func() bool { return strings.Count(p.stderr.String(), "connected to") >= 2 })
	if !strings.Contains(p.stderr.String(), "lost") {
		t.Errorf("the outage was not reported: %s", p.stderr)
	}
	// Publish until the resubscribed log takes one (bounded).
	for i := 0; i < 50; i++ {
		select {
		case <-p.done:
		default:
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(m.URL()), "-t", "r/after", "-m", "2")
			time.Sleep(200 * time.Millisecond)
			continue
		}
		break
	}
	if code := p.wait(t, 5*time.Second); code != 0 || !strings.Contains(p.stdout.String(), `"topic":"r/after"`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, p.stdout, p.stderr)
	}
	t.Logf("stderr:\n%s", p.stderr)
}
