package store

import (
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// CountQueriesForTest counts the gorm reads on table from now on; the returned func reads the count.
// Tests use it to pin how many statements a batched path sends.
func (s *Store) CountQueriesForTest(table string) func() int64 {
	var n atomic.Int64
	name := fmt.Sprintf("test:count:%s:%p", table, &n)
	_ = s.db.Callback().Query().After("gorm:query").Register(name, func(db *gorm.DB) {
		if db.Statement.Table == table {
			n.Add(1)
		}
	})
	return n.Load
}
