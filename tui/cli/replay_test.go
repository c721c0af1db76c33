package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/record"
)

// A replay file that cannot be read is a file failure: exit 1 and one
// line, as the README says ("1 failed (the connection, a file)"); kong's
// existingfile check made a missing file a usage error, exit 2.
func TestReplayFileFailuresExit1(t *testing.T) {
	if !strings.Contains(readme(t), "1 failed (the\nconnection, a file)") && !strings.Contains(readme(t), "1 failed (the connection, a file)") {
		t.Fatal("README no longer says file failures exit 1: update this test with it")
	}
	dir := t.TempDir()
	for _, file := range []string{filepath.Join(dir, "missing.jsonl"), dir} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"replay", file}, &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != exitFailure || len(lines) != 1 || !strings.Contains(lines[0], file) {
			t.Errorf("replay %s: exit %d, stderr %q; want exit %d and one line naming the file", file, code, stderr.String(), exitFailure)
		}
	}
}

// A recording played hours later, without --platform: the platform and
// its slug come from the topics (a DRIVR recording showed "0 systems" on
// the generic view), ages read against the recording's time (an event
// raised as the recording ran read "3h" old), and the bar says the
// playback ended (it read "▶ replay … 0.0/s").
func TestReplayTakesPlatformAndClockFromRecording(t *testing.T) {
	at := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Millisecond)
	base := "drivr/v1/" + seedSlug + "/systems/" + seedSystem
	event := fmt.Sprintf(`{"uuid": %q, "entityUuid": %q, "time": %q, "endTime": null, "status": null, "acknowledged": false,
		"eventModel": {"uuid": "c867ee9d-52f1-4819-9bfc-b64d6321a04b", "entityType": "SYSTEM", "eventType": "SINGLE_POINT",
		"eventLevel": "ERROR", "code": "energy-overload-model", "message": null}, "metadata": {}}`,
		seedEvent, seedSystem, at.Format(time.RFC3339Nano))
	file := filepath.Join(t.TempDir(), "old.jsonl")
	w, err := record.Create(file)
	must(t, err)
	for i, m := range []struct{ topic, payload string }{
		{base, `{"uuid": "` + seedSystem + `", "code": "ems-hq", "name": "Energy HQ", "status": "ACTIVATED", "connectionState": "CONNECTED"}`},
		{base + "/events/" + seedEvent, event},
		{base + "/events/" + seedEvent + "/state", "ACTIVE"},
	} {
		must(t, w.Write(mqttconn.Message{Topic: m.topic, Payload: []byte(m.payload), Received: at.Add(time.Duration(i) * 100 * time.Millisecond)}))
	}
	must(t, w.Close())
	tm := newTmux(t, 120, 40, "replay", file, "--speed", "0", "--theme", "mono")
	screen := tm.waitScreen(10*time.Second, "replay ended", "drivr", "Energy HQ", "energy-overload")
	for _, l := range strings.Split(screen, "\n") {
		// Raised 200 ms before the recording ends: "now", not "3h".
		if strings.Contains(l, "energy-overload") && !strings.Contains(l, " now ") {
			t.Errorf("the event's age is not read against the recording's time: %q", l)
		}
	}
	tm.keys("q")
	if status := tm.exited(5 * time.Second); status != "0" {
		t.Errorf("exit status %q", status)
	}
}

// With --loop the bar says which pass and how far its times moved on from
// the recording's, so a time on screen can still be found in the file.
func TestReplayLoopSaysPassAndShift(t *testing.T) {
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	base := "drivr/v1/" + seedSlug + "/systems/" + seedSystem
	file := filepath.Join(t.TempDir(), "loop.jsonl")
	w, err := record.Create(file)
	must(t, err)
	for i := range 3 {
		must(t, w.Write(mqttconn.Message{Topic: base, Payload: []byte(`{"uuid": "` + seedSystem + `", "name": "Energy HQ"}`),
			Received: at.Add(time.Duration(i) * 2 * time.Second)}))
	}
	must(t, w.Close())
	tm := newTmux(t, 120, 40, "replay", file, "--loop", "--speed", "2", "--theme", "mono")
	tm.waitScreen(10*time.Second, "pass 2, times +4s", "Energy HQ") // a pass lasts 2 s
	tm.keys("q")
	if status := tm.exited(5 * time.Second); status != "0" {
		t.Errorf("exit status %q", status)
	}
}
