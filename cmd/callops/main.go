// Command callops keeps a Microsoft Teams tenant's Shared Calling
// configuration as code: lint, plan and apply CUE desired states.
package main

import "os"

func main() { os.Exit(Main()) }
