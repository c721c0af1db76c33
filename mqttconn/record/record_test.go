package record

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

func ptr[T any](v T) *T { return &v }

func sampleMessages() []mqttconn.Message {
	t0 := time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC)
	return []mqttconn.Message{
		{
			Topic:    "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8/state",
			Payload:  []byte("ACTIVE"),
			Received: t0,
		},
		{
			Topic:    "app/demo-app",
			Payload:  []byte(`{"temperature":21.5}`),
			QoS:      1,
			Retain:   true,
			Dup:      true,
			Received: t0.Add(1500 * time.Millisecond),
			Props: &mqttconn.Props{
				ContentType:     "application/json",
				PayloadFormat:   ptr(byte(1)),
				ResponseTopic:   "reply/here",
				CorrelationData: []byte{0xff, 0x00, 0x01},
				User: []mqttconn.UserProperty{
					{Key: "specversion", Value: "1.0"},
					{Key: "type", Value: "io.drogue.event.v1"},
					{Key: "type", Value: "duplicate keys keep their order"},
				},
				MessageExpiry: ptr(uint32(60)),
			},
		},
		{
			Topic:    "bin/\xff\xfe", // invalid UTF-8 survives as topic_b64
			Payload:  []byte{0x81, 0xa1, 'a', 0xc3, 0x00, 0xff},
			QoS:      2,
			Received: t0.Add(3 * time.Second),
			Props:    &mqttconn.Props{CorrelationData: []byte("corr-1")},
		},
		{
			Topic:    "empty/payload",
			Payload:  []byte{},
			Received: t0.Add(3*time.Second + time.Nanosecond),
		},
		{
			Topic:    "escape/\x1b[2J",
			Payload:  []byte("line\nwith \x1b]2;title\x07 and \"quotes\""),
			Received: t0.Add(4 * time.Second),
		},
	}
}

func writeAll(t *testing.T, msgs []mqttconn.Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, m := range msgs {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := w.Count(); got != uint64(len(msgs)) {
		t.Fatalf("Count = %d, want %d", got, len(msgs))
	}
	return buf.Bytes()
}

func readAll(t *testing.T, data []byte) ([]mqttconn.Message, Stats) {
	t.Helper()
	r := NewReader(bytes.NewReader(data))
	var out []mqttconn.Message
	for i := 0; i < 10000; i++ {
		m, err := r.Next()
		if err == io.EOF {
			return out, r.Stats()
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	t.Fatal("reader did not reach EOF")
	return nil, Stats{}
}

func TestRoundTripIdentical(t *testing.T) {
	in := sampleMessages()
	data := writeAll(t, in)
	if n := bytes.Count(data, []byte("\n")); n != len(in) {
		t.Fatalf("%d lines for %d messages", n, len(in))
	}
	out, st := readAll(t, data)
	if st.Bad != 0 || st.Truncated || st.Messages != len(in) {
		t.Fatalf("stats %+v", st)
	}
	if !reflect.DeepEqual(in, out) {
		for i := range in {
			if !reflect.DeepEqual(in[i], out[i]) {
				t.Errorf("message %d:\n in  %+v\n out %+v", i, in[i], out[i])
			}
		}
	}
}

func TestLineFieldsMatchLogFormat(t *testing.T) {
	data := writeAll(t, sampleMessages()[1:3])
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, want := range []string{`"time":"2025-05-09T13:28:44.111276Z"`, `"topic":"app/demo-app"`, `"qos":1`,
		`"retain":true`, `"payload":"{\"temperature\":21.5}"`, `"contentType":"application/json"`,
		`"user":[["specversion","1.0"],["type","io.drogue.event.v1"]`, `"correlationData_b64":"/wAB"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %s lacks %s", lines[0], want)
		}
	}
	for _, want := range []string{`"topic_b64":"YmluL//+"`, `"payload_b64":"gaFhwwD/"`, `"correlationData":"corr-1"`} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("line %s lacks %s", lines[1], want)
		}
	}
}

func TestSecretsMasked(t *testing.T) {
	m := mqttconn.Message{
		Topic:    "v1/device/dev-1/telemetry",
		Payload:  []byte(`{"status":"online"}`),
		Received: time.Unix(1700000000, 0),
		Props: &mqttconn.Props{User: []mqttconn.UserProperty{
			{Key: "device_id", Value: "dev-1"},
			{Key: "access_key", Value: "s3cr3t-key-value"},
			{Key: "Authorization", Value: "Bearer tok-123456"},
			{Key: "ce-token", Value: "tok-abcdef"},
			{Key: "X-Api-Key", Value: "k-998877"},
		}},
	}
	data := writeAll(t, []mqttconn.Message{m})
	for _, secret := range []string{"s3cr3t-key-value", "tok-123456", "tok-abcdef", "k-998877"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("recording holds secret %q: %s", secret, data)
		}
	}
	out, _ := readAll(t, data)
	want := []mqttconn.UserProperty{{Key: "device_id", Value: "dev-1"}, {Key: "access_key", Value: Redacted},
		{Key: "Authorization", Value: Redacted}, {Key: "ce-token", Value: Redacted}, {Key: "X-Api-Key", Value: Redacted}}
	if !reflect.DeepEqual(out[0].Props.User, want) {
		t.Fatalf("user props %v, want %v", out[0].Props.User, want)
	}
}

func TestBadAndTruncatedLines(t *testing.T) {
	good := writeAll(t, sampleMessages()[:2])
	var data []byte
	data = append(data, good...)
	data = append(data, "not json at all\n"...)
	data = append(data, "\n   \n"...) // blank lines are not bad
	data = append(data, `{"time":"yesterday","topic":"x"}`+"\n"...)
	data = append(data, `{"time":"2025-05-09T13:28:42Z"}`+"\n"...) // no topic
	data = append(data, `{"time":"2025-05-09T13:28:42Z","topic":"q","qos":7}`+"\n"...)
	data = append(data, `{"time":"2025-05-09T13:28:42Z","topic":"b","payload_b64":"!!"}`+"\n"...)
	// A line as `mqdeck log` prints it, with decoded extras: still a message.
	data = append(data, `{"time":"2025-05-09T13:28:43Z","topic":"t/1","qos":0,"retain":false,"payload":"{}","format":"json","value":{},"kind":"x"}`+"\n"...)
	data = append(data, `{"time":"2025-05-09T13:28:44Z","topic":"cut/off","payl`...)

	out, st := readAll(t, data)
	if len(out) != 3 || out[2].Topic != "t/1" {
		t.Fatalf("got %d messages %v", len(out), out)
	}
	if st.Bad != 5 || st.FirstBad != 3 || st.FirstErr == nil || !st.Truncated || st.Lines != 9 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTooLongLineSkipped(t *testing.T) {
	long := `{"time":"2025-05-09T13:28:42Z","topic":"big","payload":"` + strings.Repeat("x", MaxLine) + "\"}\n"
	data := append([]byte(long), writeAll(t, sampleMessages()[:1])...)
	out, st := readAll(t, data)
	if len(out) != 1 || st.Bad != 1 || st.FirstBad != 1 || !strings.Contains(st.FirstErr.Error(), "longer") {
		t.Fatalf("messages %d stats %+v", len(out), st)
	}
}

// fakeTime is a clock whose Sleep moves time forward instantly.
type fakeTime struct {
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeTime) Now() time.Time { return f.now }
func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return ctx.Err()
}

// Played later and faster than recorded, messages keep their recorded
// times and the clock reads the recording's time (the console showed
// wall-clock "received" times, and ages of 11 minutes one minute into a
// replay); the gaps are still scaled by the speed.
func TestPlayScalesTimingKeepsRecordedTimes(t *testing.T) {
	in := sampleMessages() // gaps: 1.5s, 1.5s, 1ns, 1s
	data := writeAll(t, in)
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // years after the recording
	ft := &fakeTime{now: start}
	clock := NewClock(in[0].Received, 2, ft.Now)
	var ticks []time.Time // the clock before and after each wait
	sleep := func(ctx context.Context, d time.Duration) error {
		ticks = append(ticks, clock.Now())
		err := ft.Sleep(ctx, d)
		ticks = append(ticks, clock.Now())
		return err
	}
	p := Player{Speed: 2, Now: ft.Now, Sleep: sleep, Clock: clock}
	out := make(chan mqttconn.Message, 10)
	st, err := p.Play(context.Background(), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, out)
	if err != nil || st.Messages != 5 {
		t.Fatalf("Play: %v %+v", err, st)
	}
	close(out)
	i := 0
	for m := range out {
		if !m.Received.Equal(in[i].Received) {
			t.Errorf("message %d received %v, want the recorded %v", i, m.Received, in[i].Received)
		}
		i++
	}
	if want := []time.Duration{750 * time.Millisecond, 750 * time.Millisecond, 500 * time.Millisecond}; !reflect.DeepEqual(ft.sleeps, want) {
		t.Errorf("waits %v, want %v (the gaps at speed 2)", ft.sleeps, want)
	}
	// Each wait runs the clock from one message's recorded time to the next.
	want := []time.Time{in[0].Received, in[1].Received, in[1].Received, in[2].Received, in[3].Received, in[4].Received}
	if len(ticks) != len(want) {
		t.Fatalf("clock readings %v", ticks)
	}
	near := func(a, b time.Time) bool { return a.Sub(b).Abs() <= time.Microsecond } // the 1 ns gap halves to 0
	for k := range want {
		if !near(ticks[k], want[k]) {
			t.Errorf("clock reading %d: %v, want %v", k, ticks[k], want[k])
		}
	}
	if !clock.Ended() || !near(clock.Now(), in[4].Received) {
		t.Errorf("after the end: ended %v, clock %v, want stopped at %v", clock.Ended(), clock.Now(), in[4].Received)
	}
}

func TestPlayLoopsUntilCancelled(t *testing.T) {
	data := writeAll(t, sampleMessages()[:2])
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan mqttconn.Message)
	done := make(chan error, 1)
	clock := NewClock(sampleMessages()[0].Received, 0, nil)
	go func() {
		_, err := Player{Speed: 0, Loop: true, Clock: clock}.Play(ctx, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, out)
		done <- err
	}()
	var topics []string
	timeout := time.After(5 * time.Second)
	for len(topics) < 5 {
		select {
		case m := <-out:
			topics = append(topics, m.Topic)
		case <-timeout:
			t.Fatal("loop stalled")
		}
	}
	// The fifth message opens the third pass: the bar says "pass 3".
	if p := clock.Pass(); p != 3 || clock.Ended() {
		t.Errorf("clock: pass %d, ended %v; want pass 3, playing", p, clock.Ended())
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Play after cancel: %v", err)
	}
	first, second := sampleMessages()[0].Topic, sampleMessages()[1].Topic
	if want := []string{first, second, first, second, first}; !reflect.DeepEqual(topics, want) {
		t.Fatalf("topics %v", topics)
	}
}

func TestReplayFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	in := sampleMessages()
	for _, m := range in {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("recording mode %v %v", fi.Mode(), err)
	}
	out := make(chan mqttconn.Message, len(in))
	if err := Replay(context.Background(), path, 0, false, nil, out); err != nil {
		t.Fatal(err)
	}
	close(out)
	i := 0
	for m := range out {
		m.Received = in[i].Received
		if !reflect.DeepEqual(m, in[i]) {
			t.Errorf("replayed %d: %+v, want %+v", i, m, in[i])
		}
		i++
	}
	if i != len(in) {
		t.Fatalf("replayed %d of %d", i, len(in))
	}

	// Bad lines: what can be read is delivered, and the error says what was skipped.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString("garbage\n")
	_ = f.Close()
	out = make(chan mqttconn.Message, len(in))
	err = Replay(context.Background(), path, 0, false, nil, out)
	var se *SkippedError
	if !errors.As(err, &se) || se.Bad != 1 || se.FirstBad != len(in)+1 || len(out) != len(in) {
		t.Fatalf("Replay with a bad line: %v, delivered %d", err, len(out))
	}
	if !strings.Contains(err.Error(), "line 6") {
		t.Errorf("error does not name the line: %v", err)
	}

	empty := filepath.Join(dir, "empty.jsonl")
	_ = os.WriteFile(empty, []byte("nothing here\n"), 0o600)
	if err := Replay(context.Background(), empty, 1, true, nil, make(chan mqttconn.Message, 1)); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty recording: %v", err)
	}
	if err := Replay(context.Background(), filepath.Join(dir, "missing"), 1, false, nil, nil); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if err := Replay(context.Background(), path, -1, false, nil, nil); err == nil {
		t.Fatal("negative speed accepted")
	}
}

// With --loop the recorded times repeated each pass: the console's clock
// and every "last seen" went back at the start of a pass, so ages grew
// while messages arrived. Each pass's times now continue from the previous
// pass's latest time (moved on by the recording's span), the clock never
// goes back, and it says which pass and by how much the times moved.
func TestPlayLoopTimesNeverGoBack(t *testing.T) {
	in := sampleMessages() // span 4s + 1ns
	span := in[len(in)-1].Received.Sub(in[0].Received)
	data := writeAll(t, in)
	ft := &fakeTime{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	clock := NewClock(in[0].Received, 2, ft.Now)
	var readings []time.Time
	sleep := func(ctx context.Context, d time.Duration) error {
		readings = append(readings, clock.Now())
		err := ft.Sleep(ctx, d)
		readings = append(readings, clock.Now())
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opens := 0
	open := func() (io.ReadCloser, error) {
		if opens++; opens > 3 {
			cancel()
			return nil, context.Canceled
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	out := make(chan mqttconn.Message, 3*len(in))
	_, err := Player{Speed: 2, Loop: true, Now: ft.Now, Sleep: sleep, Clock: clock}.Play(ctx, open, out)
	if err == nil {
		t.Fatal("Play ended without the cancel")
	}
	close(out)
	var got []mqttconn.Message
	for m := range out {
		got = append(got, m)
	}
	if len(got) != 3*len(in) {
		t.Fatalf("%d messages, want three passes of %d", len(got), len(in))
	}
	for i, m := range got {
		pass := i / len(in)
		want := in[i%len(in)].Received.Add(time.Duration(pass) * span)
		if !m.Received.Equal(want) {
			t.Errorf("message %d (pass %d) received %v, want %v", i, pass+1, m.Received, want)
		}
	}
	for i := 1; i < len(readings); i++ {
		if readings[i].Before(readings[i-1]) {
			t.Errorf("clock went back: reading %d %v after %v", i, readings[i], readings[i-1])
		}
	}
	// Three passes played; the fourth began (its open was cancelled).
	if clock.Pass() != 4 || clock.Shift() != 3*span {
		t.Errorf("pass %d shift %v, want pass 4 shifted by %v", clock.Pass(), clock.Shift(), 3*span)
	}
	// The console's clock never reads before the last delivered message.
	if now := clock.Now(); now.Before(got[len(got)-1].Received) {
		t.Errorf("clock %v before the last message %v", now, got[len(got)-1].Received)
	}
}
