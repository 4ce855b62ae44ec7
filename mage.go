//go:build ignore

// mage.go runs netbeat's magefile without installing mage:
//
//	go run mage.go <target>     (go run mage.go -l lists targets)
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() { os.Exit(mage.Main()) }
