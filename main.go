package main

import (
	"os"

	"github.com/mqdeck/mqdeck/tui/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
