package cluster

// freeList keeps scratch state for reuse, up to a fixed number of items.
// Unlike a sync.Pool it keeps them across garbage collections and hands
// them to any goroutine: a sync.Pool's Put lands in the private slot of
// the P the goroutine runs on when it ends, which another P's Get does not
// look at first, and a goroutine that waited on the network has often
// moved. For the large, rarely contended scratch of a split command or a
// pipeline, a miss means a fresh state whose slices grow again.
type freeList[T any] struct{ ch chan *T }

func newFreeList[T any](n int) freeList[T] { return freeList[T]{ch: make(chan *T, n)} }

// get returns a kept item, or a new one.
func (f freeList[T]) get() *T {
	select {
	case x := <-f.ch:
		return x
	default:
		return new(T)
	}
}

// put keeps x, or drops it when the list is full.
func (f freeList[T]) put(x *T) {
	select {
	case f.ch <- x:
	default:
	}
}
