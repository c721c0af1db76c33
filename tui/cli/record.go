package cli

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/record"
	"github.com/mqdeck/mqdeck/tui/console"
)

// recorder is --record of the console, demo and serve: the ingest's Tap
// appending every item to the file. A failed write stops it for good (the
// batcher calls it no more, the console says so and counts what is
// missing), and so does a panic in it (a bug): the file stays a whole
// prefix of the stream, never one with a hole in the middle.
type recorder struct {
	path string
	w    *record.Writer

	mu      sync.Mutex
	stopped time.Time // when it stopped early; zero while it records
	why     string

	// crash, when set, makes the tap panic on a message to
	// crashTestTopic with its value (MQDECK_CRASH_TEST=record).
	crash func() string
}

// openRecorder opens --record's file; nil without the flag.
func openRecorder(path string) (*recorder, error) {
	if path == "" {
		return nil, nil
	}
	w, err := record.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--record: %w", err)
	}
	return &recorder{path: path, w: w}, nil
}

// source is the Tap and the count for console.Source and serve.Source;
// nil without --record.
func (r *recorder) source() (tap func([]ingest.Item) error, recorded func() uint64) {
	if r == nil {
		return nil, nil
	}
	return r.tap, r.recorded
}

// errStopped is what a stopped recorder says when it is called again (a
// restarted ingest in serve runs its Tap anew).
var errStopped = errors.New("--record: the recording stopped earlier")

// tap is the ingest's Tap. It runs on the batcher's goroutine.
func (r *recorder) tap(items []ingest.Item) (err error) {
	if r.isStopped() {
		return errStopped
	}
	ok := false
	defer func() {
		if !ok { // a panic on its way to the batcher, which reports it
			r.stop("an internal error (a bug; see the crash report or serve's log)")
		}
	}()
	for i := range items {
		if r.crash != nil && items[i].Msg.Topic == crashTestTopic {
			panic(r.crash())
		}
		if err := recordItem(r.w, &items[i]); err != nil {
			ok = true
			r.stop(err.Error())
			return err
		}
	}
	ok = true
	return nil
}

func (r *recorder) isStopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.stopped.IsZero()
}

func (r *recorder) stop(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped.IsZero() {
		r.stopped, r.why = time.Now(), why
	}
}

// recorded is how many messages the file holds (or will, once flushed):
// the console counts what it applied past this as missing.
func (r *recorder) recorded() uint64 { return r.w.Count() }

// close flushes and closes the file once the pump has stopped, and says on
// stderr what the file holds when the recording ended early (the console's
// screen, which said so, is gone by now).
func (r *recorder) close(stderr io.Writer) {
	err := r.w.Close()
	var we *record.WriteError
	if errors.As(err, &we) {
		r.stop(err.Error()) // the last flush may be the first to fail
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case !r.stopped.IsZero():
		fmt.Fprintf(stderr, "mqdeck: --record %s stopped at %s: %s; it holds the first %s received, whole: every message after them is missing from it\n",
			r.path, r.stopped.Format("15:04:05"), oneLine(r.why), console.Messages(r.w.Count()))
	case err != nil:
		fmt.Fprintf(stderr, "mqdeck: --record %s: %s\n", r.path, oneLine(err.Error()))
	}
}
