#!/bin/bash
/usr/bin/time -f "%e s %M KB %U+%S cpu" node bin/lakevault.js --json --warehouse s3://tcr-tables/wh --backups s3://tcr-b --checkpoints s3://tcr-c table create t$1 --rows $1 --overwrite 2>&1 | grep -E 'elapsedMs|cpu'
