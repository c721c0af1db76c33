package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/mqdeck/mqdeck/bench/benchkit"
)

// prepare builds what is needed and lists the subscribers that can run
// here, mosquitto_sub first (the ratios are to it).
func prepare(o options, dir string) ([]subject, error) {
	want := func(name string) bool {
		if o.only == "" {
			return true
		}
		for _, w := range strings.Split(o.only, ",") {
			if strings.TrimSpace(w) == name {
				return true
			}
		}
		return false
	}
	var out []subject
	if _, err := exec.LookPath("mosquitto_sub"); err != nil {
		return nil, fmt.Errorf("mosquitto_sub not found (apt-get install mosquitto-clients): %w", err)
	}
	out = append(out, mosquittoSub(benchkit.DRIVRFilterList())) // always: the baseline
	if want("node") {
		script, _ := filepath.Abs(filepath.Join("bench", "node", "sub.js"))
		if _, err := os.Stat(filepath.Join("bench", "node_modules", "mqtt")); err == nil {
			out = append(out, nodeSub(script, benchkit.DRIVRFilterList()))
		} else {
			fmt.Println("node mqtt: skipped (npm install --prefix bench mqtt to include it)")
		}
	}
	needMqdeck := want("log") || want("console") && o.console == ""
	bin := ""
	if needMqdeck {
		var err error
		if bin, err = buildMqdeck(o, dir); err != nil {
			return nil, err
		}
	}
	if want("log") {
		out = append(out, mqdeckLog(bin))
	}
	if want("console") {
		if !benchkit.Available() {
			fmt.Println("console: skipped (tmux not found)")
			return out, nil
		}
		cmdline := o.console
		switch cmdline {
		case "":
			cmdline = bin // mqdeck's own console, with the hidden --exit-after
		case "bench":
			cmdline = consoleCommand(dir)
		}
		if cmdline == "" {
			return nil, fmt.Errorf("no console with --exit-after: pass -console")
		}
		fmt.Println("console command:", cmdline)
		out = append(out, console("mqdeck console", "console", cmdline))
		for i, nc := range strings.Split(o.consoles, ",") {
			name, cmd, ok := strings.Cut(strings.TrimSpace(nc), "=")
			if !ok {
				continue
			}
			fmt.Printf("console %s: %s\n", name, cmd)
			out = append(out, console("console "+name, fmt.Sprintf("console%d", i+2), cmd))
		}
	}
	return out, nil
}

// consoleCommand builds bench/console (-console bench), which runs the
// same console.Run as mqdeck, with profiling and RSS sampling.
func consoleCommand(dir string) string {
	out := filepath.Join(dir, "console")
	cmd := exec.Command("go", "build", "-o", out, "./bench/console")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return ""
	}
	return out + " --summary {summary}"
}
