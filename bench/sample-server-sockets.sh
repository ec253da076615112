#!/bin/bash
# Samples the reliability server (the java process with --server.port=) every 0.5 s into FILE:
# established connections, bytes unread in their receive queues, connections with unread bytes, the
# listen queue, and runnable / all threads. Start it before an IT, stop it after.
# Usage: bench/sample-server-sockets.sh FILE   (used for RELIABILITY.md section 4)
out=$1; : > $out
while true; do
  pid=$(pgrep -f -- "--server.port=" | head -1)
  if [ -n "$pid" ]; then
    port=$(tr '\0' ' ' < /proc/$pid/cmdline | grep -o -- "--server.port=[0-9]*" | cut -d= -f2)
    est=$(ss -Htn state established "( sport = :$port )" | wc -l)
    rq=$(ss -Htn state established "( sport = :$port )" | awk '{s+=$1} END {print s+0}')
    nz=$(ss -Htn state established "( sport = :$port )" | awk '$1>0{c++} END {print c+0}')
    lq=$(ss -Hltn "( sport = :$port )" | awk '{print $2}')
    rs=$(cat /proc/$pid/task/*/stat 2>/dev/null | awk '$3=="R"{c++} END {print c+0}')
    nt=$(ls /proc/$pid/task | wc -l)
    echo "$(date +%s.%N | cut -c1-14) est=$est recvq=$rq nonempty=$nz listenq=$lq srvR=$rs threads=$nt" >> $out
  fi
  sleep 0.5
done
