#!/bin/bash
# name arch method epochs train batch t
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
nvidia-smi -L
run() { python3 victims/_experiments/calibrate_gpu.py --name $1 --arch $2 --method $3 --epochs $4 --train $5 --batch $6 --t $7 --out /tmp/calib/$1.json > /tmp/calib/$1.log 2>&1 & pids+=($!); }
mkdir -p /tmp/calib
pids=()
( sleep 470; pkill -f calib.py ) &
watch=$!
python3 victims/_experiments/calibrate_gpu.py --name smoke --arch deep-pool2 --method simsiam --epochs 1 --train 1024 --batch 256 --randoms 1 --every 1 --out /tmp/smoke.json || exit 1
# ROUND=1: the first candidates (14 at once, 30 epochs); ROUND=2 (default): the second.
if [ "${ROUND:-2}" = 1 ]; then
run gap30k gap simclr 30 30000 256 0.2
run pool2_30k pool2 simclr 30 30000 256 0.2
run pool2_10k pool2 simclr 40 10000 256 0.2
run w2pool2_30k w2pool2 simclr 30 30000 256 0.2
run deep30k deep simclr 30 30000 256 0.2
run deeppool2_30k deep-pool2 simclr 30 30000 256 0.2
run mid30k mid simclr 30 30000 256 0.2
run midpool2_30k mid-pool2 simclr 30 30000 256 0.2
run w2gap30k w2gap simclr 30 30000 256 0.2
run pool2_t5 pool2 simclr 30 30000 256 0.5
run pool2_barlow pool2 barlow 30 30000 256 0.2
run deep_barlow deep barlow 30 30000 256 0.2
run deeppool2_10k deep-pool2 simclr 30 10000 256 0.2
run deep10k deep simclr 30 10000 256 0.2
else
run midpool2_t5 mid-pool2 simclr 20 30000 256 0.5
run midpool2_barlow mid-pool2 barlow 20 30000 256 0.2
run midpool2_simsiam mid-pool2 simsiam 20 30000 256 0.2
run pool2_simsiam pool2 simsiam 25 30000 256 0.2
run pool2_t5_b512 pool2 simclr 25 30000 512 0.5
run pool2_barlow10k pool2 barlow 25 10000 256 0.2
run midpool2_10k_t5 mid-pool2 simclr 25 10000 256 0.5
run midpool2_t2 mid-pool2 simclr 15 30000 256 0.2
run deeppool2_t5 deep-pool2 simclr 20 30000 256 0.5
run deeppool2_barlow deep-pool2 barlow 20 30000 256 0.2
run deeppool2_simsiam deep-pool2 simsiam 20 30000 256 0.2
run pool2_t5_10k pool2 simclr 30 10000 256 0.5
fi
wait "${pids[@]}"; kill $watch 2>/dev/null
tail -n 4 /tmp/calib/*.log > $OUT/summary.txt; cat /tmp/calib/*.json > $OUT/all.jsonl
python3 - <<'PY'
import json,glob,os
rows=[json.load(open(f)) for f in glob.glob('/tmp/calib/*.json')]
with open(os.environ['OUT']+'/RESULTS.md','w') as f:
  f.write('| name | arch | method | N | dim | MMAC | pixels | random mean±sd (5) | SSL curve | final | -pixels | -random | GPU s | digits px/rnd/ssl |\n|'+'---|'*14+'\n')
  for r in sorted(rows,key=lambda r:-r['gap_random']):
    f.write(f"| {r['name']} | {r['arch']} | {r['method']} | {r['train']} | {r['dim']} | {r['macs']/1e6:.1f} | {r['pixels']*100:.2f} | {r['random_mean']*100:.2f}±{r['random_sd']*100:.2f} | {' '.join(f'{k}:{v*100:.1f}' for k,v in r['curve'].items())} | {r['final']*100:.2f} | {r['gap_pixels']*100:+.2f} | {r['gap_random']*100:+.2f} | {r['seconds']:.0f} ({r['epochs_done']} ep) | {r.get('digits_pixels',0)*100:.1f} / {r.get('digits_random',0)*100:.1f} / {r.get('digits_final',0)*100:.1f} |\n")
print(open(os.environ['OUT']+'/RESULTS.md').read())
PY
