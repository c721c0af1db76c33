package reliability

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// terminalModes are pane states tmux reports that a crash must not leave
// behind. (Cursor visibility is read from the raw stream instead: tmux
// hides the cursor of a dead pane itself.)
const terminalModes = "alt=#{alternate_on} mouse=#{mouse_any_flag}/#{mouse_button_flag}/#{mouse_standard_flag}/#{mouse_sgr_flag}"

// modesLeftSet reads the raw byte stream a program wrote to its terminal
// and returns the modes it set and did not reset by the end: alternate
// screen, hidden cursor, mouse reporting, bracketed paste, focus events,
// and the keyboard enhancements (kitty flags, modifyOtherKeys). set is
// every mode it set at some point (a control: the check saw them).
func modesLeftSet(raw string) (left, set []string) {
	modes := []struct{ name, on, off string }{
		{"alternate screen", "\x1b[?1049h", "\x1b[?1049l"},
		{"hidden cursor", "\x1b[?25l", "\x1b[?25h"},
		{"mouse button tracking", "\x1b[?1002h", "\x1b[?1002l"},
		{"mouse any-event tracking", "\x1b[?1003h", "\x1b[?1003l"},
		{"SGR mouse", "\x1b[?1006h", "\x1b[?1006l"},
		{"bracketed paste", "\x1b[?2004h", "\x1b[?2004l"},
		{"focus events", "\x1b[?1004h", "\x1b[?1004l"},
		{"kitty keyboard", "\x1b[>1u", "\x1b[<1u"},
		{"modifyOtherKeys", "\x1b[>4;2m", "\x1b[>4m"},
	}
	for _, m := range modes {
		on, off := strings.LastIndex(raw, m.on), strings.LastIndex(raw, m.off)
		if on < 0 {
			continue
		}
		set = append(set, m.name)
		if off < on {
			left = append(left, m.name)
		}
	}
	return left, set
}

// A panic on the UI goroutine (issue 9, item 8): the console binary runs in
// tmux with a password from MQDECK_PASSWORD and the hidden
// MQDECK_CRASH_TEST=ui switch, which panics on a key press with the
// password in the panic value.
// The terminal must be given back (normal screen, cursor shown, mouse
// reporting off), the program must end with status 1 and one line naming
// the report, and neither that line, the screen nor the report may hold
// the password.
func TestPanicRestoresTerminalAndReportsWithoutSecret(t *testing.T) {
	t.Parallel() // waits more than it works: overlaps with the others like it
	needTools(t, "tmux")
	const password = "Crash-Pw-51e7-do-not-print"
	// ui-token: the user name is an access token that a --token-command
	// reads before each attempt (issue 17); it must be redacted too.
	const token = "Crash-Tok-90c4-do-not-print"
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"op": password, token: password}})
	for _, where := range []string{"ui", "ui-token"} {
		t.Run(where, func(t *testing.T) {
			tmp := t.TempDir()
			raw := filepath.Join(tmp, "raw")
			tm := hostile.Tmux{Socket: hostile.PrivateSocket("panic-" + where), Target: "p", Raw: raw}
			t.Cleanup(tm.Kill)
			user, tokenRun := []string{"--username", "op"}, where == "ui-token"
			if tokenRun {
				tokFile := filepath.Join(tmp, "token")
				if err := os.WriteFile(tokFile, []byte(token+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				user = []string{"--token-command", "cat " + tokFile}
			}
			where := strings.TrimSuffix(where, "-token")
			env := []string{"MQDECK_PASSWORD=" + password, "MQDECK_CRASH_TEST=" + where, "TMPDIR=" + tmp, "HOME=" + tmp}
			if err := tm.Start(100, 30, env, append(append([]string{mqdeckBin(), "--broker", m.URL()}, user...), "--topic", "#")...); err != nil {
				t.Fatal(err)
			}
			if _, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
				s, _ := tm.Capture()
				t.Fatalf("console did not connect:\n%s", s)
			}
			before, _ := tm.Display(terminalModes)
			pid, err := tm.PID()
			if err != nil {
				t.Fatal(err)
			}
			if err := tm.Keys("j"); err != nil {
				t.Fatal(err)
			}
			// The process must end; tmux reports the status a moment later.
			var status string
			ended := waitFor(20*time.Second, func() bool {
				st := procState(pid) // a zombie has ended; tmux reaps it
				return strings.HasPrefix(st, "Z") || strings.Contains(st, "no such file")
			})
			waitFor(5*time.Second, func() bool {
				dead, st, _ := tm.Dead()
				status = st
				return dead && st != ""
			})
			if !ended {
				s, _ := tm.Capture()
				t.Fatalf("the console did not end after the panic (process %d: %s):\n%s", pid, procState(pid), s)
			}
			after, _ := tm.Display(terminalModes)
			screen, _ := tm.CaptureAll()
			if err := tm.CloseRaw(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			stream, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			left, set := modesLeftSet(string(stream))
			reports, _ := filepath.Glob(filepath.Join(tmp, "mqdeck-crash-*.txt"))
			flat := strings.Join(strings.Fields(strings.ReplaceAll(screen, "\n", "")), " ")
			t.Logf("%s panic: exit status %s; tmux %s before, %s after; modes set %v, left set %v; %d report(s); screen: %s",
				where, status, before, after, set, left, len(reports), flat)
			if !strings.HasPrefix(before, "alt=1") || !strings.Contains(before, "mouse=1") || len(set) < 4 {
				t.Errorf("control failed: the running console should hold the alt screen, the mouse and more: %s, %v", before, set)
			}
			if after != "alt=0 mouse=0/0/0/0" || len(left) > 0 {
				t.Errorf("terminal not restored after the panic: %s, modes left set: %v", after, left)
			}
			if status != "1" {
				t.Errorf("exit status %s, want 1", status)
			}
			if len(reports) != 1 {
				t.Fatalf("%d crash reports in %s", len(reports), tmp)
			}
			if !strings.Contains(flat, "crashed") || !strings.Contains(strings.ReplaceAll(screen, "\n", ""), reports[0]) {
				t.Errorf("the screen does not name the report:\n%s", screen)
			}
			report, err := os.ReadFile(reports[0])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(report), "crash test") || !strings.Contains(string(report), "goroutine") {
				t.Errorf("the report lacks the panic or its stack:\n%s", report)
			}
			checkNoSecret(t, where+" panic", password, map[string][]byte{"screen": []byte(screen), "report": report})
			checkNoSecret(t, where+" panic", token, map[string][]byte{"screen": []byte(screen), "report": report})
			// The panic value holds every secret in use: with the token, two.
			if n := strings.Count(string(report), "[redacted]"); n == 0 || tokenRun && !strings.Contains(string(report), "[redacted] [redacted]") {
				t.Errorf("control failed: the panic value's secret was not seen and redacted:\n%.600s", report)
			}
		})
	}
}

// A panic understanding one message (MQDECK_CRASH_TEST=pump: the scheme's
// Route panics on mqdeck/crash-test with the password in the panic value)
// costs that message's decoding only: the console keeps running, the
// Errors pane shows the INTERNAL_ERROR, a crash report is written, and
// neither the screen nor the report holds the password. Then q quits as
// usual, exit status 0, the terminal given back.
func TestIngestPanicKeepsTheConsoleRunning(t *testing.T) {
	t.Parallel()
	needTools(t, "tmux")
	const password = "Crash-Pw-51e7-do-not-print"
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: map[string]string{"op": password}})
	tmp := t.TempDir()
	raw := filepath.Join(tmp, "raw")
	tm := hostile.Tmux{Socket: hostile.PrivateSocket("panic-ingest"), Target: "p", Raw: raw}
	t.Cleanup(tm.Kill)
	env := []string{"MQDECK_PASSWORD=" + password, "MQDECK_CRASH_TEST=pump", "TMPDIR=" + tmp, "HOME=" + tmp}
	if err := tm.Start(100, 30, env, mqdeckBin(), "--broker", m.URL(), "--username", "op", "--topic", "#"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
		s, _ := tm.Capture()
		t.Fatalf("console did not connect:\n%s", s)
	}
	pid, err := tm.PID()
	if err != nil {
		t.Fatal(err)
	}
	pub := func(topic, msg string) {
		mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-u", "op", "-P", password, "-t", topic, "-m", msg)
	}
	pub("mqdeck/crash-test", "boom")
	notice, ok := tm.WaitScreen(15*time.Second, "internal error understanding a message on mqdeck/crash-test")
	if !ok {
		t.Fatalf("no notice of the panic:\n%s", notice)
	}
	pub("mqdeck/after-the-panic", "still here")
	if err := tm.Keys("4"); err != nil { // the Errors pane
		t.Fatal(err)
	}
	screen, ok := tm.WaitScreen(15*time.Second, "INTERNAL_ER")
	if !ok {
		t.Fatalf("the Errors pane does not show the INTERNAL_ERROR:\n%s", screen)
	}
	if screen, ok = tm.WaitScreen(15*time.Second, "2 msgs"); !ok {
		t.Fatalf("the message after the panic was not applied:\n%s", screen)
	}
	if st := procState(pid); strings.HasPrefix(st, "Z") || strings.Contains(st, "no such file") {
		t.Fatalf("the console ended after the panic: %s", st)
	}
	reports, _ := filepath.Glob(filepath.Join(tmp, "mqdeck-crash-*.txt"))
	if len(reports) != 1 {
		t.Fatalf("%d crash reports in %s, want 1", len(reports), tmp)
	}
	report, err := os.ReadFile(reports[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "crash test") || !strings.Contains(string(report), "goroutine") || !strings.Contains(string(report), "[redacted]") {
		t.Errorf("the report lacks the panic, its stack or the redaction:\n%.600s", report)
	}
	if err := tm.Keys("q"); err != nil {
		t.Fatal(err)
	}
	var status string
	ended := waitFor(20*time.Second, func() bool {
		st := procState(pid)
		return strings.HasPrefix(st, "Z") || strings.Contains(st, "no such file")
	})
	waitFor(5*time.Second, func() bool {
		dead, st, _ := tm.Dead()
		status = st
		return dead && st != ""
	})
	after, _ := tm.Display(terminalModes)
	all, _ := tm.CaptureAll()
	if err := tm.CloseRaw(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	stream, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := modesLeftSet(string(stream))
	flat := strings.Join(strings.Fields(screen), " ")
	t.Logf("ingest panic: console kept running; screen then: %.200s; after q: exit status %s, tmux %s, modes left set %v", flat, status, after, left)
	if !ended || status != "0" {
		t.Errorf("q did not end the console with status 0 (ended %v, status %q)", ended, status)
	}
	if after != "alt=0 mouse=0/0/0/0" || len(left) > 0 {
		t.Errorf("terminal not restored: %s, modes left set: %v", after, left)
	}
	checkNoSecret(t, "ingest panic", password, map[string][]byte{"screen": []byte(screen + all), "stream": stream, "report": report})
}
