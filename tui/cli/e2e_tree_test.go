package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// treeLines is the topic tree pane's rows on a screen: the left column
// of the 120x40 grid, between its borders, below its header.
func treeLines(screen string) []string {
	var out []string
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, "┃") {
			if i := strings.Index(l[len("┃"):], "┃"); i >= 0 {
				out = append(out, l[len("┃"):len("┃")+i])
			}
		}
	}
	if len(out) > 0 && strings.HasPrefix(out[0], "topic ") {
		out = out[1:]
	}
	return out
}

// waitTree polls the screen until ok holds of the tree's rows.
func waitTree(t *testing.T, tm *tmuxTerm, what string, ok func(rows []string, screen string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := tm.screen()
		rows := treeLines(s)
		if ok(rows, s) {
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s the tree does not show %s:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// row is the index of the first row matching re, -1 when none.
func row(rows []string, re string) int {
	r := regexp.MustCompile(re)
	for i, l := range rows {
		if r.MatchString(l) {
			return i
		}
	}
	return -1
}

// TestTopicTreeInTmuxOnMosquitto runs the generic console in a 120x40
// tmux pane against Mosquitto holding a retained hierarchy, and drives
// the tree as an operator would: expand, expand a subtree, collapse, the
// retained marks (R as delivered at subscribe, r once a live message
// came after it), order by bytes and a filter that keeps ancestors.
func TestTopicTreeInTmuxOnMosquitto(t *testing.T) {
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	port := mq.URL()[strings.LastIndexByte(mq.URL(), ':')+1:]
	pub := func(retain bool, topic, payload string) {
		args := []string{"-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic, "-m", payload}
		if retain {
			args = append(args, "-r")
		}
		mqtttest.PubCLI(t, args...)
	}
	for _, tp := range []string{"home/hall/door", "home/kitchen/temp", "home/kitchen/hum", "office/temp"} {
		pub(true, tp, `{"v":1}`)
	}
	tm := newTmux(t, 120, 40, "--broker", mq.URL(), "--theme", "mono")
	tm.waitScreen(10*time.Second, "8 Topics", "4 topics · 4 retained")

	// Collapsed at first; the cursor is on home.
	waitTree(t, tm, "home and office collapsed", func(r []string, _ string) bool {
		return row(r, `^▸ home `) == 0 && row(r, `^▸ office `) == 1 && row(r, `kitchen`) < 0
	})
	tm.keys("l")
	waitTree(t, tm, "home open", func(r []string, _ string) bool {
		return row(r, `^▾ home `) == 0 && row(r, `^  ▸ hall `) == 1 && row(r, `^  ▸ kitchen `) == 2
	})
	// Down to hall, open its subtree: door shows, retained as delivered.
	tm.keys("j", "*")
	waitTree(t, tm, "door marked R", func(r []string, _ string) bool {
		return row(r, `^      door +R +1 `) == 2
	})
	tm.keys("h") // collapse hall again
	waitTree(t, tm, "hall collapsed", func(r []string, _ string) bool {
		return row(r, `^  ▸ hall `) == 1 && row(r, `door`) < 0
	})
	tm.keys("j", "*")
	waitTree(t, tm, "kitchen open, both marked R", func(r []string, _ string) bool {
		return row(r, `^      hum +R `) == 3 && row(r, `^      temp +R `) == 4
	})

	// A live message after the retained one: the broker still holds a
	// retained message, but maybe not this payload.
	pub(false, "home/kitchen/temp", `{"v":2}`)
	waitTree(t, tm, "temp marked r", func(r []string, _ string) bool {
		return row(r, `^      temp +r +1 +2 `) == 4 && row(r, `^      hum +R `) == 3
	})

	// By bytes: a big payload under office puts it first.
	pub(false, "office/big", strings.Repeat("x", 4000))
	tm.keys("o", "o")
	waitTree(t, tm, "office first by bytes", func(r []string, s string) bool {
		return strings.Contains(s, "by byt") // the narrow title elides the rest && row(r, `^▸ office `) == 0 && row(r, `^▾ home `) == 1
	})

	// A filter keeps the matching topics and their ancestors, open.
	tm.keys("/", "h", "u", "m", "Enter")
	waitTree(t, tm, "only home/kitchen/hum", func(r []string, s string) bool {
		return strings.Contains(s, "/hum") && row(r, `^▾ home `) == 0 && row(r, `^  ▾ kitchen `) == 1 &&
			row(r, `^      hum +R `) == 2 && row(r, `office|hall|temp`) < 0
	})
	tm.keys("q")
	if status := tm.exited(5 * time.Second); status != "0" {
		t.Errorf("exit status %q after q", status)
	}
}
