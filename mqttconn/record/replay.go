package record

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// MaxLine is the longest line the Reader accepts (a 10 MB payload in base64
// fits); longer lines are skipped and counted as bad without being held.
const MaxLine = 32 << 20

// Stats says what a Reader made of its input.
type Stats struct {
	Lines     int   // non-empty lines seen
	Messages  int   // lines that became messages
	Bad       int   // lines skipped because they could not be read
	FirstBad  int   // line number (1-based) of the first bad line, 0 when none
	FirstErr  error // why the first bad line was skipped
	Truncated bool  // the last line had no newline and did not parse (a recorder killed mid-write)
}

// Reader reads messages from a recording, skipping lines it cannot read.
type Reader struct {
	br    *bufio.Reader
	line  int
	stats Stats
}

// NewReader reads a recording from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 256<<10)}
}

// Stats is what the Reader has seen so far.
func (r *Reader) Stats() Stats { return r.stats }

// Next returns the next message, or io.EOF after the last one. Bad lines are
// skipped and counted in Stats; only read errors of the underlying reader
// are returned.
func (r *Reader) Next() (mqttconn.Message, error) {
	for {
		raw, complete, tooLong, err := r.readLine()
		raw = bytes.TrimSpace(raw)
		if err != nil && err != io.EOF {
			return mqttconn.Message{}, fmt.Errorf("record: read line %d: %w", r.line+1, err)
		}
		if len(raw) > 0 || tooLong {
			r.line++
			r.stats.Lines++
			if tooLong {
				r.bad(fmt.Errorf("line longer than %d bytes", MaxLine))
			} else if m, perr := parseLine(raw); perr == nil {
				r.stats.Messages++
				return m, nil
			} else if !complete {
				r.stats.Truncated = true
			} else {
				r.bad(perr)
			}
		}
		if err == io.EOF {
			return mqttconn.Message{}, io.EOF
		}
	}
}

func (r *Reader) bad(err error) {
	r.stats.Bad++
	if r.stats.FirstBad == 0 {
		r.stats.FirstBad = r.line
		r.stats.FirstErr = err
	}
}

// readLine returns one line without its newline. complete is false for a
// last line without a newline; tooLong means the line was discarded.
func (r *Reader) readLine() (line []byte, complete, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > MaxLine {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			return bytes.TrimRight(buf, "\r\n"), true, tooLong, nil
		default:
			return bytes.TrimRight(buf, "\r\n"), false, tooLong, err
		}
	}
}

func parseLine(raw []byte) (mqttconn.Message, error) {
	var l Line
	if err := json.Unmarshal(raw, &l); err != nil {
		return mqttconn.Message{}, fmt.Errorf("not a JSON object: %w", err)
	}
	return l.Decode()
}

// SkippedError is returned by Replay after it played a file that had lines
// it could not read. The messages it could read were delivered.
type SkippedError struct {
	File     string
	Bad      int
	FirstBad int
	Err      error
}

func (e *SkippedError) Error() string {
	return fmt.Sprintf("record: %s: skipped %d unreadable line(s), first at line %d: %v", e.File, e.Bad, e.FirstBad, e.Err)
}

func (e *SkippedError) Unwrap() error { return e.Err }

// ErrEmpty says a recording held no message that could be read.
var ErrEmpty = errors.New("no readable message")

// Replay plays the recording in file into out with the original gaps between
// messages divided by speed (1 = real time, 10 = ten times faster, 0 = no
// waiting). Messages keep their recorded times; clock (optional) follows the
// playback, so ages and "stale" read against it as they did live. With loop
// it starts over at the end until ctx ends, each pass's times moved on by
// the recording's span so that time never goes back (Clock.Shift says by
// how much; times inside payloads stay as recorded). It returns nil at the end of the
// file, ctx.Err() when cancelled, a *SkippedError when lines were skipped,
// and an error wrapping ErrEmpty when nothing could be read.
func Replay(ctx context.Context, file string, speed float64, loop bool, clock *Clock, out chan<- mqttconn.Message) error {
	p := Player{Speed: speed, Loop: loop, Clock: clock}
	st, err := p.Play(ctx, func() (io.ReadCloser, error) { return os.Open(file) }, out)
	if err != nil {
		return fmt.Errorf("record: replay %s: %w", file, err)
	}
	if st.Messages == 0 {
		return fmt.Errorf("record: replay %s: %w (%d line(s), %d bad)", file, ErrEmpty, st.Lines, st.Bad)
	}
	if st.Bad > 0 {
		return &SkippedError{File: file, Bad: st.Bad, FirstBad: st.FirstBad, Err: st.FirstErr}
	}
	return nil
}

// Player plays recordings.
type Player struct {
	Speed float64 // see Replay
	Loop  bool
	// Clock, when set, follows the playback (see Clock).
	Clock *Clock
	// Now and Sleep default to the real clock; tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Play reads what open returns (again for each loop) into out and returns
// the stats of the first pass. ctx ending returns ctx.Err().
func (p Player) Play(ctx context.Context, open func() (io.ReadCloser, error), out chan<- mqttconn.Message) (Stats, error) {
	if math.IsNaN(p.Speed) || p.Speed < 0 {
		return Stats{}, fmt.Errorf("speed %v: must be 0 (no waiting) or positive", p.Speed)
	}
	now, sleep := p.Now, p.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = sleepCtx
	}
	var (
		first    Stats
		start    = now()
		recorded time.Duration // recording time played so far, unscaled
		prev     time.Time     // (shifted) time of the previous message
		havePrev bool
		// With loop, a pass's times continue where the previous pass's
		// latest time ended (shift): recorded times repeating made the
		// console's clock and every "last seen" go back at each pass, so
		// ages grew while messages arrived.
		shift              time.Duration
		passFirst, passMax time.Time
	)
	for pass := 0; ; pass++ {
		passFirst, passMax = time.Time{}, time.Time{}
		rc, err := open()
		if err != nil {
			return first, fmt.Errorf("open: %w", err)
		}
		r := NewReader(rc)
		for {
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				_ = rc.Close()
				return first, err
			}
			if passFirst.IsZero() {
				passFirst = m.Received
			}
			if m.Received.After(passMax) {
				passMax = m.Received
			}
			m.Received = m.Received.Add(shift)
			orig := m.Received
			// Time going backwards (concatenated files) adds no gap.
			if havePrev && orig.After(prev) {
				recorded += orig.Sub(prev)
			}
			prev, havePrev = orig, true
			due := start
			if p.Speed > 0 && !math.IsInf(p.Speed, 1) {
				due = start.Add(time.Duration(float64(recorded) / p.Speed))
			}
			if d := due.Sub(now()); d > 0 {
				if err := sleep(ctx, d); err != nil {
					_ = rc.Close()
					return first, err
				}
			}
			if p.Speed == 0 {
				due = now()
			}
			if p.Clock != nil {
				p.Clock.deliver(orig, due)
			}
			select {
			case out <- m:
			case <-ctx.Done():
				_ = rc.Close()
				return first, ctx.Err()
			}
		}
		_ = rc.Close()
		if pass == 0 {
			first = r.Stats()
		}
		if !p.Loop || first.Messages == 0 {
			if p.Clock != nil {
				p.Clock.end()
			}
			return first, nil
		}
		if err := ctx.Err(); err != nil {
			return first, err
		}
		shift += passMax.Sub(passFirst)
		if p.Clock != nil {
			p.Clock.restart(shift)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
