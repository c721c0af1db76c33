package views

import (
	"fmt"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/topics"
)

// BenchmarkTreeFrame draws the topics pane at 120x40 over 100k topics
// while messages keep arriving on existing topics (a batch of 256 between
// frames), with one site and one device expanded, and with the 1000
// devices of a site all open (a long visible list).
func BenchmarkTreeFrame(b *testing.B) {
	payload := []byte(`{"temp": 21.5, "fan_speed": 1200, "state": "ok"}`)
	at := time.Unix(1_700_000_000, 0)
	for _, open := range []string{"one device", "a whole site", "flat 100k by rate", "flat 100k by rate, a new second each frame"} {
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
				p.setSel(tr.Find("flat/t-050000"))
			}
			p.View()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for j := 0; j < 256; j++ {
					k := (i*256 + j) % len(names)
					tr.Apply(topics.Msg{Topic: names[k], Payload: payload, At: now})
				}
				if open == "flat 100k by rate, a new second each frame" {
					now = now.Add(time.Second) // the order by rate is redone once a second
				}
				b.StartTimer()
				_ = p.View()
			}
		})
	}
}
