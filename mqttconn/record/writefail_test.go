package record

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// fullDisk writes to its file until limit bytes in all, then fails as a
// full disk does, having written part of what it was given.
type fullDisk struct {
	f     *os.File
	limit int
	n     int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	room := d.limit - d.n
	if room >= len(p) {
		n, err := d.f.Write(p)
		d.n += n
		return n, err
	}
	n, err := d.f.Write(p[:room])
	d.n += n
	if err == nil {
		err = syscall.ENOSPC
	}
	return n, err
}

func floodMessages(n int) []mqttconn.Message {
	t0 := time.Date(2025, 5, 9, 13, 28, 42, 0, time.UTC)
	out := make([]mqttconn.Message, n)
	for i := range out {
		out[i] = mqttconn.Message{Topic: fmt.Sprintf("fleet/dev-%05d/telemetry", i),
			Payload:  []byte(fmt.Sprintf(`{"seq":%d,"temperature":21.5,"pad":"%0150d"}`, i, i)),
			Received: t0.Add(time.Duration(i) * time.Millisecond)}
	}
	return out
}

// writeUntilFailure writes msgs until Write fails and returns how many
// Write accepted (the failing one included: it was buffered) and the error.
func writeUntilFailure(t *testing.T, w *Writer, msgs []mqttconn.Message) (int, error) {
	t.Helper()
	for i, m := range msgs {
		if err := w.Write(m); err != nil {
			return i + 1, err
		}
	}
	return len(msgs), w.Flush()
}

// A write that fails half-way (a full disk) stops the recording: the
// error says how many messages the file holds whole and how many were
// lost with the write, the half-written line is cut off, and the file
// replays exactly those messages, in order, without a bad line.
func TestWriteFailureLeavesWholeMessages(t *testing.T) {
	for _, otherWriter := range []bool{false, true} {
		t.Run(fmt.Sprintf("other writer %v", otherWriter), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec.jsonl")
			w, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			disk := &fullDisk{f: w.f, limit: 150_000} // mid-line, past two full buffers
			w.w = disk
			if otherWriter {
				// Someone else appends to the file after our first write:
				// then the half line must not be cut (it would cut theirs).
				w.w = writerFunc(func(p []byte) (int, error) {
					n, err := disk.Write(p)
					if err == nil {
						_, err = w.f.Write([]byte(`{"time":"2025-05-09T13:28:42Z","topic":"other"}` + "\n"))
					}
					return n, err
				})
			}
			msgs := floodMessages(2000)
			accepted, err := writeUntilFailure(t, w, msgs)
			var we *WriteError
			if !errors.As(err, &we) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("write error %v (%T), want a *WriteError wrapping ENOSPC", err, err)
			}
			if we.Path != path || we.Kept == 0 || we.Kept+we.Lost != uint64(accepted) || accepted >= len(msgs) {
				t.Fatalf("kept %d + lost %d, want the %d accepted (path %q)", we.Kept, we.Lost, accepted, we.Path)
			}
			if err := w.Write(msgs[accepted]); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("a write after the failure gave %v", err)
			}
			if w.Count() != we.Kept || w.Err() != err {
				t.Fatalf("Count %d, Err %v after the failure", w.Count(), w.Err())
			}
			if cerr := w.Close(); !errors.Is(cerr, syscall.ENOSPC) {
				t.Fatalf("Close gave %v", cerr)
			}

			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := NewReader(f)
			var got []mqttconn.Message
			for i := 0; i < len(msgs)*2; i++ {
				m, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if m.Topic != "other" {
					got = append(got, m)
				}
			}
			st := r.Stats()
			if uint64(len(got)) != we.Kept {
				t.Fatalf("the file holds %d of our messages, the error says %d (stats %+v)", len(got), we.Kept, st)
			}
			for i, m := range got {
				if m.Topic != msgs[i].Topic {
					t.Fatalf("message %d is %s, want %s", i, m.Topic, msgs[i].Topic)
				}
			}
			if st.Bad != 0 || st.Truncated == !otherWriter {
				// Cut: no half line. Not cut: the half line is the
				// recording's last, read as truncated, not as bad.
				t.Fatalf("stats %+v", st)
			}
			// mqdeck replay's path: ends cleanly with the whole messages.
			out := make(chan mqttconn.Message, 2*len(msgs))
			if err := Replay(context.Background(), path, 0, false, nil, out); err != nil {
				t.Fatalf("replay of the cut recording: %v", err)
			}
		})
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// /dev/full: a real device whose every write fails with ENOSPC.
func TestWriteToDevFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	w, err := Create("/dev/full")
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := writeUntilFailure(t, w, floodMessages(1000))
	var we *WriteError
	if !errors.As(err, &we) || !errors.Is(err, syscall.ENOSPC) || we.Kept != 0 || we.Lost != uint64(accepted) {
		t.Fatalf("error %v, want ENOSPC with nothing kept and all %d lost", err, accepted)
	}
	_ = w.Close()
}
