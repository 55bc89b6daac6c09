# A busybox ash script whose output does not depend on the machine: the
# exos_script scenario runs it in ExOS (from the boot disk) and on the
# host with the same /bin/busybox, and the outputs must match.
set -u
work=${TMPDIR:-/tmp}/bbscript
rm -rf "$work"
mkdir -p "$work" && cd "$work" || exit 1

echo "== pipelines and redirections"
printf 'pear\napple\nfig\napple\n' > fruit
sort fruit | uniq -c | sed 's/^ *//'
sort -r fruit | head -n 2 | tail -n 1
wc -l < fruit
cat fruit nosuchfile 2>/dev/null | grep -c apple
echo appended >> fruit; tail -n 1 fruit

echo "== loops, arithmetic, functions, case"
i=0; sum=0
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$((sum + i)); done
echo "sum=$sum"
for w in one two three; do printf '%s:%d ' "$w" "${#w}"; done; echo
square() { echo $(($1 * $1)); }
echo "square=$(square 12)"
for x in a.txt b.tar c; do
	case $x in *.txt) echo "$x text" ;; *.tar) echo "$x archive" ;; *) echo "$x other" ;; esac
done
cat <<END
here-doc with $sum
END

echo "== files and directories"
mkdir -p tree/a/b tree/c
echo alpha > tree/a/b/f1; echo beta > tree/c/f2; ln -s a/b/f1 tree/link
find tree | sort
cat tree/link
cp -r tree copy && diff -r tree copy && echo copies-equal
mv copy moved && ls -1
rm -r moved tree/c && find tree -type f
ls -l tree/a/b/f1 | awk '{ print $1, $5, $NF }'
chmod 600 tree/a/b/f1 && ls -l tree/a/b/f1 | cut -c1-10
test -L tree/link && echo is-link
test -x tree/a/b/f1 || echo not-executable

echo "== text tools"
echo "The quick brown fox" | awk '{ print NF, toupper($2), length($0) }'
echo "a,b,c" | cut -d, -f2
printf '3\n1\n2\n' | sort -n | tr '\n' ' '; echo
echo hello world | sed -e 's/o/0/g' -e 's/^h/H/'
grep -rn alpha tree | sort
echo abc | md5sum
seq 1 5 | awk '{ s += $1 } END { print s }'
expr length "exokernel"

echo "== archives and dd"
tar -cf t.tar tree && rm -r tree && tar -xf t.tar && find tree | sort
dd if=/dev/zero of=zeros bs=1024 count=100 2>/dev/null; wc -c < zeros
gzip -c fruit > fruit.gz && gunzip -c fruit.gz | md5sum
dd if=/dev/urandom of=big bs=4096 count=40 2>/dev/null
truncate -s 5000 big && wc -c < big && truncate -s 70000 big && wc -c < big
head -c 5000 big | cmp - zeros >/dev/null || echo "cut kept its bytes"
tail -c 65000 big | md5sum
printf 'hello world' > short && truncate -s 5 short && cat short && echo
mkfifo fifo && ls -l fifo | cut -c1 && test -p fifo && echo is-a-fifo
(echo through the fifo > fifo &); cat fifo
cat fifo > from-fifo & echo second time > fifo; wait $!; cat from-fifo

echo "== processes"
sleep 0.2 & pid=$!; wait $pid; echo "waited status=$?"
sh -c 'kill -TERM $$'; echo "killed status=$?"
( exit 3 ); echo "subshell status=$?"
false || echo "false failed"
sh -c 'echo from child sh; exit 7'; echo "child status=$?"
echo "$(echo nested $(echo twice))"
awk 'BEGIN { r = system("exit 3"); print "awk system:", r }'
renice -n 5 $$ >/dev/null; echo "renice status=$?"
cd / && rm -rf "$work"
echo "== done"
