package views

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/topics"
)

// BenchmarkTreeFrame draws the topics pane at 120x40 over 100k topics
// while messages keep arriving on existing topics (a batch of 256 between
// frames), with one site and one device expanded, and with the 1000
// devices of a site all open (a long visible list); and 100k children
// under one node by rate (the order taken again each second) and by name
// while 256 new topics a frame arrive at the cap (a flood of new topics:
// each evicts the oldest).
func BenchmarkTreeFrame(b *testing.B) {
	payload := []byte(`{"temp": 21.5, "fan_speed": 1200, "state": "ok"}`)
	at := time.Unix(1_700_000_000, 0)
	for _, open := range []string{"one device", "a whole site", "flat 100k by rate", "flat 100k by rate, a new second each frame",
		"flat 100k by last seen, a new second each frame", "flat 100k by name, 256 new topics a frame"} {
		b.Run(open, func(b *testing.B) {
			tr := topics.New(topics.Config{})
			names := make([]string, 100_000)
			for i := range names {
				if open != "one device" && open != "a whole site" {
					names[i] = fmt.Sprintf("flat/t-%06d", i)
				} else {
					names[i] = fmt.Sprintf("site-%02d/dev-%04d/sensor-%d", i%50, (i/50)%1000, i/50000)
				}
				tr.Apply(topics.Msg{Topic: names[i], Payload: payload, At: at})
			}
			now := at
			p := NewTopicsPane(themes.New(themes.Dark), treeKeys(), tr, func() time.Time { return now })
			p.SetSize(120, 40)
			p.Focus()
			switch open {
			case "one device":
				p.lst.SetExpanded(tr.Find("site-07"), true)
				p.lst.SetExpanded(tr.Find("site-07/dev-0107"), true)
				p.setSel(tr.Find("site-07/dev-0107/sensor-1"))
			case "a whole site":
				p.lst.ExpandAll(tr.Find("site-07"))
				p.setSel(tr.Find("site-07/dev-0507/sensor-1"))
			default:
				p.lst.SetExpanded(tr.Find("flat"), true)
				p.lst.SetOrder(topics.ByRate)
				if strings.Contains(open, "last seen") {
					p.lst.SetOrder(topics.ByLast)
				}
				if strings.Contains(open, "by name") {
					p.lst.SetOrder(topics.ByName)
				}
				p.setSel(tr.Find("flat/t-050000"))
			}
			fresh := strings.Contains(open, "new topics")
			p.View()
			// Each frame's time: p95 takes in a reorder's last chunk and
			// swap (one frame in seven), max also a pause of the loaded
			// machine.
			frames := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for j := 0; j < 256; j++ {
					k := (i*256 + j) % len(names)
					if fresh {
						tr.Apply(topics.Msg{Topic: fmt.Sprintf("flat/n-%08d", i*256+j), Payload: payload, At: now})
						continue
					}
					tr.Apply(topics.Msg{Topic: names[k], Payload: payload, At: now})
				}
				if strings.Contains(open, "a new second") {
					now = now.Add(time.Second) // the order by rate is redone once a second
				}
				b.StartTimer()
				t0 := time.Now()
				_ = p.View()
				frames = append(frames, time.Since(t0))
			}
			slices.Sort(frames)
			b.ReportMetric(float64(frames[len(frames)*95/100].Microseconds()), "p95-µs")
			b.ReportMetric(float64(frames[len(frames)-1].Microseconds()), "max-µs")
		})
	}
}
