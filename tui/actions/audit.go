package actions

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"
)

// AuditRecord is one line of the audit file. It never holds a secret: the
// payload is kept as its digest, and user properties under secret names are
// masked.
type AuditRecord struct {
	Time          string     `json:"time"`
	Operator      string     `json:"operator"`
	Key           string     `json:"key_fingerprint,omitempty"` // the SSH key (mqdeck serve)
	Action        string     `json:"action"`                    // action id
	Seq           int        `json:"seq"`
	Kind          Kind       `json:"kind"`
	Platform      string     `json:"platform,omitempty"`
	Target        string     `json:"target,omitempty"`
	Name          string     `json:"name,omitempty"`
	Topic         string     `json:"topic"`
	QoS           byte       `json:"qos"`
	Retain        bool       `json:"retain"`
	PayloadSHA256 string     `json:"payload_sha256"`
	PayloadSize   int        `json:"payload_size"`
	ContentType   string     `json:"content_type,omitempty"`
	User          [][]string `json:"user_properties,omitempty"`
	ResponseTopic string     `json:"response_topic,omitempty"`
	Outcome       string     `json:"outcome"`
	ReasonCode    byte       `json:"reason_code,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	Code          string     `json:"platform_code,omitempty"`
	Message       string     `json:"platform_message,omitempty"`
}

// Audit appends one JSON line per action outcome change. Safe for use from
// several goroutines (publishes finish in commands).
type Audit struct {
	mu       *sync.Mutex // shared with the Audits made by For
	w        io.Writer
	c        io.Closer
	Operator string
	// Key is the fingerprint (SHA256:…) of the SSH key the operator logged
	// in with under mqdeck serve; "" otherwise.
	Key string
	now func() time.Time
}

// For is an audit on the same file whose lines name another operator and
// key: one per SSH session of mqdeck serve. Closing it closes nothing.
func (a *Audit) For(operator, key string) *Audit {
	if a == nil {
		return nil
	}
	return &Audit{mu: a.mu, w: a.w, Operator: operator, Key: key, now: a.now}
}

// Operator picks the name the audit records: the profile's, else $USER,
// else the OS account.
func Operator(profile string) string {
	if profile != "" {
		return profile
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// OpenAudit opens (creating, mode 0600) the audit file for appending.
func OpenAudit(path, operator string) (*Audit, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open: %w", err)
	}
	return &Audit{mu: new(sync.Mutex), w: f, c: f, Operator: operator, now: time.Now}, nil
}

// NewAudit writes to w (tests, or a caller-managed file).
func NewAudit(w io.Writer, operator string, now func() time.Time) *Audit {
	if now == nil {
		now = time.Now
	}
	return &Audit{mu: new(sync.Mutex), w: w, Operator: operator, now: now}
}

// Close closes the file opened by OpenAudit.
func (a *Audit) Close() error {
	if a == nil || a.c == nil {
		return nil
	}
	if err := a.c.Close(); err != nil {
		return fmt.Errorf("audit: close: %w", err)
	}
	return nil
}

// Record builds the line for an entry's current state.
func (a *Audit) Record(e *Entry) AuditRecord {
	act := e.Action
	r := AuditRecord{
		Time:          a.now().UTC().Format(time.RFC3339Nano),
		Operator:      a.Operator,
		Key:           a.Key,
		Action:        act.ID,
		Seq:           e.Seq,
		Kind:          act.Kind,
		Platform:      act.Platform,
		Target:        act.Target.Entity(),
		Name:          act.Name,
		Topic:         act.Request.Topic,
		QoS:           act.Request.QoS,
		Retain:        act.Request.Retain,
		PayloadSHA256: act.Digest(),
		PayloadSize:   len(act.Request.Payload),
		Outcome:       e.Outcome(),
		ReasonCode:    e.Result.ReasonCode,
		Reason:        e.Result.Reason,
	}
	if p := act.Request.Props; p != nil {
		r.ContentType = p.ContentType
		r.ResponseTopic = p.ResponseTopic
		for _, u := range MaskUser(p.User) {
			r.User = append(r.User, []string{u.Key, u.Value})
		}
	}
	if ans, ok := e.LastAnswer(); ok && ans.Kind == AnswerPlatformError {
		r.Code, r.Message = ans.Code, ans.Message
	}
	return r
}

// Write appends the entry's current state as one line.
func (a *Audit) Write(e *Entry) error {
	if a == nil {
		return nil
	}
	return a.write(a.Record(e))
}

// WriteChange appends the line of one change. A batch can move an entry
// twice (created, then its state); each line keeps its own step.
func (a *Audit) WriteChange(e *Entry, c Change) error {
	if a == nil {
		return nil
	}
	r := a.Record(e)
	r.Outcome = c.Outcome
	if !strings.HasPrefix(c.Outcome, "platform_error") {
		r.Code, r.Message = "", ""
	}
	return a.write(r)
}

func (a *Audit) write(r AuditRecord) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	line = append(line, '\n')
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.w.Write(line); err != nil {
		return fmt.Errorf("audit: write: %w", err)
	}
	return nil
}

// KindAckEvent is the audit's kind for DRIVR's GraphQL acknowledgement; it
// publishes nothing, so it has no form and no topic.
const KindAckEvent Kind = "ack_event"

// WriteAck appends the line of one acknowledgement through GraphQL. The
// endpoint is recorded without user info or query; the token never.
func (a *Audit) WriteAck(endpoint string, r AckResult) error {
	if a == nil {
		return nil
	}
	rec := AuditRecord{
		Time:     a.now().UTC().Format(time.RFC3339Nano),
		Operator: a.Operator,
		Key:      a.Key,
		Kind:     KindAckEvent,
		Platform: "drivr",
		Target:   r.UUID,
		Name:     "ackEvent",
		Topic:    redactURL(endpoint),
		Outcome:  "acked",
	}
	if !r.OK {
		rec.Outcome = "ack_failed"
		if err := r.Err(); err != nil {
			rec.Message = err.Error()
		}
	}
	return a.write(rec)
}
