package actions

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

func TestAuditLinesHoldNoSecret(t *testing.T) {
	const key = "AK-very-secret-0042"
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	au, err := OpenAudit(path, "alice")
	if err != nil {
		t.Fatal(err)
	}
	au.now = func() time.Time { return seedTime }
	payload := []byte(`{"id":"x","status":"pending","name":"reboot","parameters":{}}`)
	act := Action{
		ID: "a1", Kind: KindRequestSnapshot, Platform: platform.DevAPI,
		Target: Target{Platform: platform.DevAPI, System: "dev-1"},
		Request: mqttconn.PublishRequest{Topic: "v1/device/dev-1/get", Payload: payload, QoS: 1,
			Props: &mqttconn.Props{ResponseTopic: "v1/device/dev-1/get/response", User: []mqttconn.UserProperty{
				{Key: "device_id", Value: "dev-1"}, {Key: "access_key", Value: key}}}},
	}
	tr := NewTracker(0)
	e := tr.Add(act, seedTime)
	if err := au.Write(e); err != nil {
		t.Fatal(err)
	}
	tr.Result("a1", mqttconn.PublishResult{Outcome: mqttconn.OutcomeRefused, ReasonCode: 0x87, Reason: "not authorized"}, seedTime)
	if err := au.Write(e); err != nil {
		t.Fatal(err)
	}
	if err := au.Close(); err != nil {
		t.Fatal(err)
	}
	// Appends, never truncates.
	au2, err := OpenAudit(path, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if err := au2.Write(e); err != nil {
		t.Fatal(err)
	}
	_ = au2.Close()

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(key)) || bytes.Contains(raw, []byte("reboot")) {
		t.Fatalf("secret or payload in audit:\n%s", raw)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	sum := sha256.Sum256(payload)
	var lines []AuditRecord
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var r AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, r)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	first, second := lines[0], lines[1]
	if first.Outcome != "sending" || second.Outcome != "refused" || second.ReasonCode != 0x87 {
		t.Errorf("outcomes %q %q", first.Outcome, second.Outcome)
	}
	if first.Operator != "alice" || lines[2].Operator != "bob" || first.Kind != KindRequestSnapshot ||
		first.Topic != "v1/device/dev-1/get" || first.QoS != 1 || first.Retain ||
		first.PayloadSHA256 != hex.EncodeToString(sum[:]) || first.PayloadSize != len(payload) ||
		first.Time != "2025-05-09T13:28:42.611276Z" || first.Action != "a1" {
		t.Errorf("record: %+v", first)
	}
	if len(first.User) != 2 || first.User[1][0] != "access_key" || first.User[1][1] != Mask || first.User[0][1] != "dev-1" {
		t.Errorf("user properties: %v", first.User)
	}
}

func TestAuditPlatformErrorAndOperator(t *testing.T) {
	var buf bytes.Buffer
	au := NewAudit(&buf, Operator("carol"), func() time.Time { return seedTime })
	tr := NewTracker(0)
	e := tr.Add(drivrAction("a1", seedTime, "energy-overload-model"), seedTime)
	tr.Result("a1", mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, seedTime)
	r := platform.Route{Kind: platform.KindError, Input: sysInput}
	tr.ObserveMessage(rx(sysInput+"/error", seedTime.Add(time.Second)), r, value(t, errorJSON))
	if err := au.Write(e); err != nil {
		t.Fatal(err)
	}
	var rec AuditRecord
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Operator != "carol" || rec.Outcome != "platform_error:SOME_DATA_INVALID" || rec.Code != "SOME_DATA_INVALID" ||
		!strings.Contains(rec.Message, "Unknown field") {
		t.Errorf("%+v", rec)
	}
	t.Setenv("USER", "dave")
	if Operator("") != "dave" {
		t.Error("$USER not used")
	}
	var nilAudit *Audit
	if err := nilAudit.Write(e); err != nil {
		t.Error("nil audit must be a no-op")
	}
}

// Two changes in one batch are two lines, each with its own outcome.
func TestAuditWriteChangeKeepsEachStep(t *testing.T) {
	var buf bytes.Buffer
	au := NewAudit(&buf, "op", nil)
	tr := NewTracker(0)
	e := tr.Add(Action{ID: "x1", Kind: KindTriggerEvent, Request: mqttconn.PublishRequest{Topic: "a/b", Payload: []byte("{}")}}, time.Now())
	e.addAnswer(Answer{Kind: AnswerEventCreated, State: "ACTIVE"})
	first := change(e)
	e.addAnswer(Answer{Kind: AnswerPlatformError, Code: "C", Message: "m"})
	second := change(e)
	if err := au.WriteChange(e, first); err != nil {
		t.Fatal(err)
	}
	if err := au.WriteChange(e, second); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var r1, r2 AuditRecord
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &r1) != nil || json.Unmarshal([]byte(lines[1]), &r2) != nil {
		t.Fatalf("lines %q", lines)
	}
	if r1.Outcome != "event" || r1.Code != "" || r2.Outcome != "platform_error:C" || r2.Code != "C" || r2.Message != "m" {
		t.Errorf("%+v / %+v", r1, r2)
	}
}

// Under mqdeck serve each SSH session writes through For: its lines name
// its user and key, on the one file, and the base audit's lines do not.
func TestAuditForSessionNamesUserAndKey(t *testing.T) {
	var buf bytes.Buffer
	base := NewAudit(&buf, "server", func() time.Time { return seedTime })
	alice := base.For("alice", "SHA256:aaaa")
	bob := base.For("bob", "SHA256:bbbb")
	tr := NewTracker(0)
	for i, au := range []*Audit{alice, bob, base} {
		e := tr.Add(drivrAction(fmt.Sprintf("a%d", i), seedTime, "m"), seedTime)
		if err := au.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := bob.WriteAck("https://x.example/graphql", AckResult{UUID: "u1", OK: true}); err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"alice", "SHA256:aaaa"}, {"bob", "SHA256:bbbb"}, {"server", ""}, {"bob", "SHA256:bbbb"}}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, l := range lines {
		var rec AuditRecord
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Operator != want[i][0] || rec.Key != want[i][1] {
			t.Errorf("line %d: operator %q key %q, want %v", i, rec.Operator, rec.Key, want[i])
		}
	}
	if err := alice.Close(); err != nil {
		t.Fatal(err)
	}
}
