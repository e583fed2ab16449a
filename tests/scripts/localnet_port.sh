# Sourced by the localnet ctests: exports LOCALNET_BASE_PORT, a base port whose 10
# ports (API base+1..5, P2P base+101..105; node 5 is `localnet.sh add`'s) are free,
# below the kernel's ephemeral range (32768 up): a port in that range can be taken
# by any outgoing connection (the nodes' own dials included) between the check and
# the bind, and a node that cannot listen exits.
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
  base=$((20000 + (RANDOM % 120) * 100))
  ok=1
  for p in 1 2 3 4 5 101 102 103 104 105; do free $((base + p)) || ok=0; done
  [ $ok = 1 ] && break
done
export LOCALNET_BASE_PORT=$base
