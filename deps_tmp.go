//go:build tools

// Keeps the fixed dependencies in go.mod while the packages that use them are written.
// Delete once every dependency is imported by real code.
package main

import (
	_ "charm.land/bubbles/v2/key"
	_ "charm.land/bubbletea/v2"
	_ "charm.land/lipgloss/v2"
	_ "github.com/BurntSushi/toml"
	_ "github.com/alecthomas/kong"
	_ "github.com/charmbracelet/x/exp/golden"
	_ "github.com/eclipse/paho.golang/autopaho"
	_ "github.com/eclipse/paho.mqtt.golang"
	_ "github.com/mochi-mqtt/server/v2"
	_ "github.com/vmihailenco/msgpack/v5"
)
