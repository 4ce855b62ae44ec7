package empty

func F() int { return 1 }
