# net_teardown BRIDGE OCTET: removes what a private engine's networking leaves on the host once
# its dockerd is gone. dockerd keeps the bridges of the networks made on it (br-…) after it
# stops, with their addresses and iptables rules; so every bridge holding an address of the
# engine's 10.OCTET.0.0/16 goes (its own bridge, BRIDGE, and those), with the rules of the nat
# and filter tables that name one of them or that subnet. Sourced by the test harness's
# teardown and by bench/lib.sh.
net_teardown() {
  bridge=$1
  octet=$2
  links=$({ echo "$bridge"; ip -o -4 addr show | awk -v p="10.$octet." 'index($4, p) == 1 { print $2 }'; } | sort -u)
  set -- -e "10\.$octet\."
  for l in $links; do set -- "$@" -e "$l"; done
  for t in nat filter; do
    iptables -t "$t" -S | grep "$@" | sed 's/^-A/-D/' | while read -r rule; do eval iptables -t "$t" "$rule"; done
  done
  for l in $links; do ip link del "$l" 2>/dev/null; done
  return 0
}
