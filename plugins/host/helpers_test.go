package host

import "fmt"

func sprint(x any) string { return fmt.Sprint(x) }
