package bot

import "time"

// SetBatchWaitForTest sets how long a queue waits for a message on its way to it, until restore.
func SetBatchWaitForTest(d time.Duration) (restore func()) {
	old := batchWait
	batchWait = d
	return func() { batchWait = old }
}

// ShardForTest is the queue of messages from sender key on transport "fake", account a1.
func (in *Inbox) ShardForTest(key string) uint32 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.shardOf(Message{Transport: "fake", Account: "a1", SenderKey: key})
}
