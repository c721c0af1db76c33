package topics

import (
	"reflect"
	"testing"
	"time"
)

func TestDiffJSON(t *testing.T) {
	old := `{"temp": 21.5, "state": "on", "a.b": 1, "list": [1, 2], "gone": true}`
	cur := `{"temp": 22, "state": "on", "a.b": 2, "list": [1, 2, 3], "new": {"x": null}}`
	got, isJSON := Diff([]byte(old), []byte(cur))
	want := []Change{
		{Kind: Changed, Path: `a\.b`, Old: "1", New: "2"},
		{Kind: Removed, Path: "gone", Old: "true"},
		{Kind: Added, Path: "list[2]", New: "3"},
		{Kind: Added, Path: "new.x", New: "null"},
		{Kind: Changed, Path: "temp", Old: "21.5", New: "22"},
	}
	if !isJSON || !reflect.DeepEqual(got, want) {
		t.Fatalf("diff:\n got %+v\nwant %+v", got, want)
	}
	if v, ok := Number([]byte(cur), `a\.b`); !ok || v != 2 {
		t.Fatalf("Number(a\\.b) = %v %v", v, ok)
	}
	if _, ok := Number([]byte(cur), "state"); ok {
		t.Fatal("a string read as a number")
	}
	if p := NumericPaths([]byte(cur)); !reflect.DeepEqual(p, []string{`a\.b`, "list[0]", "list[1]", "list[2]", "temp"}) {
		t.Fatalf("numeric paths %q", p)
	}
}

func TestDiffLines(t *testing.T) {
	got, isJSON := Diff([]byte("a\nb\nc\nd"), []byte("a\nB\nc\nd\ne"))
	want := []Change{{Kind: Added, New: "B"}, {Kind: Removed, Old: "b"}, {Kind: Added, New: "e"}}
	if isJSON || !reflect.DeepEqual(got, want) {
		t.Fatalf("line diff %+v", got)
	}
	if got, _ := Diff([]byte("same"), []byte("same")); len(got) != 0 {
		t.Fatalf("no change: %+v", got)
	}
}

func TestTrack(t *testing.T) {
	tr := New(Config{HistoryLen: 4})
	for i := 0; i < 6; i++ {
		tr.Apply(Msg{Topic: "d/1", Payload: []byte(`{"t": {"fan.speed": ` + string(rune('0'+i)) + `}}`), At: t0.Add(time.Duration(i) * time.Second)})
	}
	tk := tr.Track("d/1", `t.fan\.speed`)
	if tk == nil || tk.Len() != 4 { // seeded from the 4 entries of history
		t.Fatalf("seeded %v", tk)
	}
	tr.Apply(Msg{Topic: "d/1", Payload: []byte(`{"t": {"fan.speed": 9}}`), At: t0.Add(time.Minute)})
	tr.Apply(Msg{Topic: "d/1", Payload: []byte(`not json`), At: t0.Add(time.Minute)})
	pts := tk.Points(nil)
	if len(pts) != 5 || pts[0].V != 2 || pts[4].V != 9 {
		t.Fatalf("points %+v", pts)
	}
	if tr.Track("d/1", `t.fan\.speed`) != tk || tr.Tracked("d/1", `t.fan\.speed`) != tk {
		t.Fatal("a second Track made another")
	}
	for i := 0; i < MaxTracks; i++ {
		tr.Track("d/1", string(rune('a'+i)))
	}
	if tr.Tracked("d/1", `t.fan\.speed`) != nil || len(tr.tracks) != MaxTracks {
		t.Fatalf("oldest track kept: %d tracks", len(tr.tracks))
	}
}
