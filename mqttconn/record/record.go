// Package record writes received messages as JSON lines and plays them back
// with their original timing, so a session can be replayed through the same
// pipeline without a broker.
//
// One line per message:
//
//	{"time":"2025-05-09T13:28:42.611276Z","topic":"a/b","qos":1,"retain":false,
//	 "payload":"ACTIVE","props":{"contentType":"text/plain","user":[["k","v"]]}}
//
// The payload is written as text when it is valid UTF-8, else base64 under
// payload_b64 (the same for correlation data and, rarely, the topic). These
// are the field names `mqdeck log` prints, so its output replays too.
// Nothing about the connection (broker, user, password) is ever written, and
// user properties that carry credentials (the device API's access_key, for
// one) are masked.
package record

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Redacted replaces the value of a user property that carries a credential.
const Redacted = "[redacted]"

// flushEvery bounds how stale the file may be behind the messages written,
// so a crash loses at most about this much of a recording.
const flushEvery = time.Second

// Line is the on-disk form of one message.
type Line struct {
	Time       string     `json:"time"`
	Topic      string     `json:"topic,omitempty"`
	TopicB64   string     `json:"topic_b64,omitempty"`
	QoS        byte       `json:"qos"`
	Retain     bool       `json:"retain"`
	Dup        bool       `json:"dup,omitempty"`
	Payload    *string    `json:"payload,omitempty"`
	PayloadB64 *string    `json:"payload_b64,omitempty"`
	Props      *LineProps `json:"props,omitempty"`
}

// LineProps is the on-disk form of MQTT 5 properties.
type LineProps struct {
	ContentType        string      `json:"contentType,omitempty"`
	PayloadFormat      *byte       `json:"payloadFormat,omitempty"`
	ResponseTopic      string      `json:"responseTopic,omitempty"`
	CorrelationData    *string     `json:"correlationData,omitempty"`
	CorrelationDataB64 *string     `json:"correlationData_b64,omitempty"`
	User               [][2]string `json:"user,omitempty"`
	MessageExpiry      *uint32     `json:"messageExpiry,omitempty"`
}

// Encode turns a message into its line form. Credentials in user properties
// are masked.
func Encode(m mqttconn.Message) Line {
	l := Line{
		Time:   m.Received.UTC().Format(time.RFC3339Nano),
		QoS:    m.QoS,
		Retain: m.Retain,
		Dup:    m.Dup,
	}
	if utf8.ValidString(m.Topic) {
		l.Topic = m.Topic
	} else {
		l.TopicB64 = base64.StdEncoding.EncodeToString([]byte(m.Topic))
	}
	l.Payload, l.PayloadB64 = textOrB64(m.Payload)
	if p := m.Props; p != nil {
		lp := &LineProps{
			ContentType:   p.ContentType,
			PayloadFormat: p.PayloadFormat,
			ResponseTopic: p.ResponseTopic,
			MessageExpiry: p.MessageExpiry,
		}
		if p.CorrelationData != nil {
			lp.CorrelationData, lp.CorrelationDataB64 = textOrB64(p.CorrelationData)
		}
		for _, u := range p.User {
			v := u.Value
			if platform.SecretKey(u.Key) {
				v = Redacted
			}
			lp.User = append(lp.User, [2]string{u.Key, v})
		}
		l.Props = lp
	}
	return l
}

func textOrB64(b []byte) (text, b64 *string) {
	if utf8.Valid(b) {
		s := string(b)
		return &s, nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return nil, &s
}

// Decode turns a line back into a message. A line needs a time and a topic.
func (l Line) Decode() (mqttconn.Message, error) {
	var m mqttconn.Message
	t, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return m, fmt.Errorf("time %q: %w", l.Time, err)
	}
	m.Received = t
	switch {
	case l.Topic != "":
		m.Topic = l.Topic
	case l.TopicB64 != "":
		b, err := base64.StdEncoding.DecodeString(l.TopicB64)
		if err != nil {
			return m, fmt.Errorf("topic_b64: %w", err)
		}
		m.Topic = string(b)
	default:
		return m, fmt.Errorf("no topic")
	}
	if l.QoS > 2 {
		return m, fmt.Errorf("qos %d out of range", l.QoS)
	}
	m.QoS, m.Retain, m.Dup = l.QoS, l.Retain, l.Dup
	if m.Payload, err = fromTextOrB64(l.Payload, l.PayloadB64); err != nil {
		return m, fmt.Errorf("payload_b64: %w", err)
	}
	if m.Payload == nil {
		m.Payload = []byte{}
	}
	if lp := l.Props; lp != nil {
		p := &mqttconn.Props{
			ContentType:   lp.ContentType,
			PayloadFormat: lp.PayloadFormat,
			ResponseTopic: lp.ResponseTopic,
			MessageExpiry: lp.MessageExpiry,
		}
		if p.CorrelationData, err = fromTextOrB64(lp.CorrelationData, lp.CorrelationDataB64); err != nil {
			return m, fmt.Errorf("correlationData_b64: %w", err)
		}
		for _, u := range lp.User {
			p.User = append(p.User, mqttconn.UserProperty{Key: u[0], Value: u[1]})
		}
		m.Props = p
	}
	return m, nil
}

func fromTextOrB64(text, b64 *string) ([]byte, error) {
	switch {
	case text != nil:
		return []byte(*text), nil
	case b64 != nil:
		return base64.StdEncoding.DecodeString(*b64)
	}
	return nil, nil
}

// bufSize is how much the Writer gathers before it writes: whole lines
// only, so a failed write tells how many messages reached the file.
const bufSize = 64 << 10

// WriteError is why a recording stopped: writing its file failed (a full
// disk, an I/O error). The file holds the first Kept messages whole; the
// Lost after them were accepted by Write but never reached it whole. A
// line the failed write left half-written is cut off when the Writer owns
// the file and nothing else wrote to it since; otherwise Reader skips it.
type WriteError struct {
	Path       string // "" when the Writer did not open the file
	Kept, Lost uint64
	Err        error
}

func (e *WriteError) Error() string {
	if pe := (*fs.PathError)(nil); errors.As(e.Err, &pe) {
		return "record: " + e.Err.Error() // it names the file already
	}
	name := "the recording"
	if e.Path != "" {
		name = e.Path
	}
	return fmt.Sprintf("record: write %s: %v", name, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }

// Writer appends messages to a recording. It is safe for concurrent use.
// After its first failed write it writes nothing more: a recording with a
// hole in the middle would read as whole; one cut short says where it ends.
type Writer struct {
	mu        sync.Mutex
	w         io.Writer
	f         *os.File // the file when the Writer opened it
	path      string
	size      int64 // f's size after the Writer's last write
	buf       []byte
	buffered  uint64 // lines in buf
	kept      uint64 // lines written whole
	lastFlush time.Time
	err       error // first write error; later writes return it
}

// NewWriter writes lines to w. Call Flush or Close to push out the buffer.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, lastFlush: time.Now()}
}

// Create opens path for appending (creating it with mode 0600: a recording
// may hold what devices said about themselves) and writes to it.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("record: open %s: %w", path, err)
	}
	w := NewWriter(f)
	w.f, w.path = f, path
	if st, err := f.Stat(); err == nil {
		w.size = st.Size()
	}
	return w, nil
}

// Write appends one message as a line. The buffer is written out when it
// is full, and at least once a second while messages keep coming.
func (w *Writer) Write(m mqttconn.Message) error {
	b, err := json.Marshal(Encode(m))
	if err != nil {
		return fmt.Errorf("record: encode %q: %w", m.Topic, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	// json.Marshal escapes every newline inside strings: the only ones in
	// buf end lines, which flushLocked counts on.
	w.buf = append(append(w.buf, b...), '\n')
	w.buffered++
	if now := time.Now(); len(w.buf) >= bufSize || now.Sub(w.lastFlush) >= flushEvery {
		return w.flushLocked(now)
	}
	return nil
}

// flushLocked writes buf out. On a failure it counts the lines that
// reached the file whole and cuts off a half-written one where it can.
func (w *Writer) flushLocked(now time.Time) error {
	w.lastFlush = now
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.w.Write(w.buf)
	if err == nil && n < len(w.buf) {
		err = io.ErrShortWrite
	}
	n = max(min(n, len(w.buf)), 0)
	if err != nil {
		whole := bytes.LastIndexByte(w.buf[:n], '\n') + 1
		lines := uint64(bytes.Count(w.buf[:whole], []byte{'\n'}))
		w.kept += lines
		if whole < n && w.f != nil {
			// Only when the file is as this Writer left it: another
			// writer's lines after ours must not be cut.
			if st, serr := w.f.Stat(); serr == nil && st.Size() == w.size+int64(n) {
				_ = w.f.Truncate(w.size + int64(whole)) // else Reader skips the half line
			}
		}
		w.err = &WriteError{Path: w.path, Kept: w.kept, Lost: w.buffered - lines, Err: err}
		w.buf, w.buffered = nil, 0
		return w.err
	}
	w.size += int64(n)
	w.kept += w.buffered
	w.buffered = 0
	if cap(w.buf) > 4*bufSize {
		w.buf = nil // one huge message does not keep its buffer
	} else {
		w.buf = w.buf[:0]
	}
	return nil
}

// Count is the number of messages in the recording: written or buffered
// to be, until a write fails; from then on, those the file holds whole.
func (w *Writer) Count() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.kept + w.buffered
}

// Err is the error that stopped the recording, nil while it goes on.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	return w.flushLocked(time.Now())
}

// Close flushes and, when the Writer opened the file, closes it.
func (w *Writer) Close() error {
	err := w.Flush()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		if cerr := w.f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("record: close: %w", cerr)
		}
		w.f = nil
	}
	return err
}
