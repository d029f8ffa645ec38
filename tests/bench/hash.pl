# hash.pl - benchmark workload for perl: a hash of a few hundred thousand keys holding
# array and hash references, walked, sorted and deleted again.
use strict;
use warnings;

if (@ARGV) {
	print STDERR "hash.pl: usage: perl hash.pl (no arguments)\n";
	exit 2;
}
my $n = 200000;
my %h;
for my $i (0 .. $n - 1) {
	my $k = sprintf("key-%07d", ($i * 7919) % $n);
	$h{$k} = { id => $i, list => [ $i, $i * 2, "v$i" ], name => "name$i" };
}
my $sum = 0;
for my $k (sort keys %h) {
	$sum += $h{$k}{list}[1];
}
my %inv = map { $h{$_}{name} => $_ } keys %h;
delete $h{$_} for keys %h;
my $want = $n * ($n - 1);
if ($sum != $want || keys %h != 0 || keys %inv != $n) {
	print STDERR "hash.pl: wrong result $sum\n";
	exit 1;
}
