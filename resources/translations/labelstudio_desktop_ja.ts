<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja">
<context>
    <name>AcceptByScoreDialog</name>
    <message>
        <source>Accept proposals by score</source>
        <translation>スコアで提案を一括承認</translation>
    </message>
    <message>
        <source>Minimum score</source>
        <translation>最小スコア</translation>
    </message>
    <message>
        <source>On this image: {0} proposals</source>
        <translation>この画像: 提案 {0} 件</translation>
    </message>
    <message>
        <source>On every image: {0} proposals on {1} images</source>
        <translation>すべての画像: {1} 枚の画像に提案 {0} 件</translation>
    </message>
    <message>
        <source>{0} proposals will be accepted (one undo step).</source>
        <translation>{0} 件の提案を承認します（1 回の「元に戻す」で取り消せます）。</translation>
    </message>
</context>
<context>
    <name>AnnotationController</name>
    <message>
        <source>Cannot show {0}: {1}</source>
        <translation>{0} を表示できません: {1}</translation>
    </message>
    <message>
        <source>Label refused: {0}</source>
        <translation>ラベルを受け付けられません: {0}</translation>
    </message>
    <message>
        <source>X rejects proposals; Delete removes this box</source>
        <translation>X は提案を却下します。このボックスを削除するには Delete</translation>
    </message>
    <message>
        <source>review and verify image</source>
        <translation>レビューして画像を確認済みにする</translation>
    </message>
    <message>
        <source>accept {0} proposals</source>
        <translation>提案 {0} 件を承認</translation>
    </message>
    <message>
        <source>verify image</source>
        <translation>画像を確認済みにする</translation>
    </message>
    <message>
        <source>Grad-CAM heatmap</source>
        <translation>Grad-CAM ヒートマップ</translation>
    </message>
    <message>
        <source>no heatmap yet: run Propose</source>
        <translation>ヒートマップはまだありません:「提案」を実行してください</translation>
    </message>
    <message>
        <source>copy {0} boxes</source>
        <translation>ボックス {0} 個をコピー</translation>
    </message>
</context>
<context>
    <name>AugmentPreview</name>
    <message>
        <source>Augmentation preview</source>
        <translation>データ拡張のプレビュー</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>準備中…</translation>
    </message>
    <message>
        <source>Left: original. Right: {0} augmented versions.</source>
        <translation>左: 元画像。右: 拡張した {0} 通りの画像。</translation>
    </message>
</context>
<context>
    <name>BrowserPanel</name>
    <message>
        <source>Search file names</source>
        <translation>ファイル名で検索</translation>
    </message>
    <message>
        <source>All classes</source>
        <translation>すべてのクラス</translation>
    </message>
    <message>
        <source>no split</source>
        <translation>分割なし</translation>
    </message>
    <message>
        <source>All splits</source>
        <translation>すべての分割</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>すべての状態</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>すべて</translation>
    </message>
    <message>
        <source>with boxes</source>
        <translation>ボックスあり</translation>
    </message>
    <message>
        <source>without boxes</source>
        <translation>ボックスなし</translation>
    </message>
    <message>
        <source>pending proposals</source>
        <translation>保留中の提案あり</translation>
    </message>
    <message>
        <source>with warnings</source>
        <translation>警告あり</translation>
    </message>
    <message>
        <source>excluded</source>
        <translation>除外</translation>
    </message>
    <message>
        <source>Sort by name</source>
        <translation>名前順</translation>
    </message>
    <message>
        <source>Sort by date</source>
        <translation>日付順</translation>
    </message>
    <message>
        <source>Sort by size</source>
        <translation>サイズ順</translation>
    </message>
    <message>
        <source>Sort by class</source>
        <translation>クラス順</translation>
    </message>
    <message>
        <source>To review first</source>
        <translation>レビューする順</translation>
    </message>
    <message>
        <source>Images still to review, the one the model is least sure about and least like those reviewed first (Shift+N goes to it)</source>
        <translation>まだレビューしていない画像を、モデルの確信が最も低く、レビュー済みの画像に最も似ていないものから並べます（Shift+N でその画像へ移動）</translation>
    </message>
    <message>
        <source>List</source>
        <translation>リスト</translation>
    </message>
    <message>
        <source>Show every image again</source>
        <translation>すべての画像を再表示</translation>
    </message>
    <message>
        <source>{0}: {1} images ✕</source>
        <translation>{0}: {1} 枚 ✕</translation>
    </message>
    <message>
        <source>Map selection</source>
        <translation>マップの選択</translation>
    </message>
    <message>
        <source>no class</source>
        <translation>クラスなし</translation>
    </message>
</context>
<context>
    <name>Canvas</name>
    <message>
        <source>No image</source>
        <translation>画像がありません</translation>
    </message>
</context>
<context>
    <name>ClassListDialog</name>
    <message>
        <source>Classes</source>
        <translation>クラス</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
    <message>
        <source>Boxes</source>
        <translation>ボックス</translation>
    </message>
    <message>
        <source>Masks</source>
        <translation>マスク</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>The class id box and mask exports write (YOLO; COCO category ids and mask indices add 1): the place among the object classes. A class given only to whole images has none.</source>
        <translation>ボックスとマスクのエクスポートで書き出すクラス ID です（YOLO。COCO のカテゴリ ID とマスクのインデックスは 1 を足した値）: 物体クラスの中での順番です。画像全体にだけ付けたクラスには ID がありません。</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>追加…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>名前を変更…</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上へ</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下へ</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>やり直す</translation>
    </message>
    <message>
        <source>Every export numbers the classes in this order.</source>
        <translation>どのエクスポートもクラスをこの順に番号付けします。</translation>
    </message>
    <message>
        <source>Cannot read the class list: {0}</source>
        <translation>クラス一覧を読み込めません: {0}</translation>
    </message>
    <message>
        <source>An image class: box and mask exports leave it out</source>
        <translation>画像単位のクラス: ボックスとマスクのエクスポートには含まれません</translation>
    </message>
    <message>
        <source>Not saved: {0}</source>
        <translation>保存されていません: {0}</translation>
    </message>
    <message>
        <source>Add class</source>
        <translation>クラスを追加</translation>
    </message>
    <message>
        <source>Name of the new class:</source>
        <translation>新しいクラスの名前:</translation>
    </message>
    <message>
        <source>The list already has the class &apos;{0}&apos;.</source>
        <translation>クラス「{0}」はすでに一覧にあります。</translation>
    </message>
    <message>
        <source>Rename class</source>
        <translation>クラス名の変更</translation>
    </message>
    <message>
        <source>New name of &apos;{0}&apos;:</source>
        <translation>「{0}」の新しい名前:</translation>
    </message>
    <message>
        <source>Merge classes</source>
        <translation>クラスの統合</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is a class already. Merge &apos;{1}&apos; into it?</source>
        <translation>「{0}」はすでにあるクラスです。「{1}」をこのクラスに統合しますか？</translation>
    </message>
    <message>
        <source>{0} boxes, {1} masks and {2} images move from &apos;{3}&apos; to &apos;{4}&apos;, and &apos;{3}&apos; leaves the list.</source>
        <translation>ボックス {0} 個、マスク {1} 個、画像 {2} 枚が「{3}」から「{4}」に移り、「{3}」は一覧から消えます。</translation>
    </message>
</context>
<context>
    <name>CountsLabel</name>
    <message>
        <source>images: {0} reviewed, {1} with proposals to review · {2} verified, {3} unverified · boxes: {4} pending, {5} accepted, {6} rejected, {7} edited</source>
        <translation>画像: レビュー済み {0}・要レビュー {1} · 確認済み {2}・未確認 {3} · ボックス: 保留 {4}・承認 {5}・却下 {6}・修正 {7}</translation>
    </message>
    <message>
        <source> · masks: {0} pending, {1} accepted, {2} rejected, {3} edited</source>
        <translation> · マスク: 保留 {0}・承認 {1}・却下 {2}・修正 {3}</translation>
    </message>
</context>
<context>
    <name>CurvePlot</name>
    <message>
        <source>epoch</source>
        <translation>エポック</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <source>{0} (previous)</source>
        <translation>{0}（前回）</translation>
    </message>
</context>
<context>
    <name>DatasetMapDock</name>
    <message>
        <source>Dataset map</source>
        <translation>データセットマップ</translation>
    </message>
    <message>
        <source>Dataset &amp;map</source>
        <translation>データセットマップ(&amp;M)</translation>
    </message>
    <message>
        <source>Every image as a point, look-alikes near each other</source>
        <translation>すべての画像を点で表示し、似た画像を近くに置きます</translation>
    </message>
</context>
<context>
    <name>DatasetMapPanel</name>
    <message>
        <source>Colour by class</source>
        <extracomment>Pixels around the map, the pointer&apos;s reach for a click or a hover, and the least drag that draws a lasso.</extracomment>
        <translation>クラスで色分け</translation>
    </message>
    <message>
        <source>Colour by split</source>
        <translation>分割で色分け</translation>
    </message>
    <message>
        <source>Colour by status</source>
        <translation>状態で色分け</translation>
    </message>
    <message>
        <source>Colour by likely mistake</source>
        <translation>誤りの候補の種類で色分け</translation>
    </message>
    <message>
        <source>The kind of each image&apos;s most doubted row in the Likely mistakes list (Review &gt; Find likely mistakes)</source>
        <translation>誤りの候補の一覧で各画像の最も疑わしい行の種類（レビュー &gt; 誤りの候補を探す）</translation>
    </message>
    <message>
        <source>PCA</source>
        <translation>PCA</translation>
    </message>
    <message>
        <source>UMAP</source>
        <translation>UMAP</translation>
    </message>
    <message>
        <source>t-SNE</source>
        <translation>t-SNE</translation>
    </message>
    <message>
        <source>How the features are placed in two dimensions (UMAP and t-SNE where their package is installed)</source>
        <translation>特徴量を二次元に配置する方法（UMAP と t-SNE はパッケージがインストールされている場合）</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Place the images again (after an import, or when features were computed since)</source>
        <translation>画像を配置し直します（インポート後、または特徴量が計算された後）</translation>
    </message>
    <message>
        <source>open image</source>
        <translation>表示中の画像</translation>
    </message>
    <message>
        <source>Placing the images…</source>
        <translation>画像を配置しています…</translation>
    </message>
    <message>
        <source>Dataset map</source>
        <translation>データセットマップ</translation>
    </message>
    <message>
        <source>No image has features yet: they are being computed (the status bar shows their progress), and the map fills in when they are done.</source>
        <translation>特徴量のある画像がまだありません。いま計算しています（進み具合はステータスバーに表示）。終わるとマップに表示されます。</translation>
    </message>
    <message>
        <source>No image has features yet: they are computed after an import (the status bar shows their progress); then press Refresh.</source>
        <translation>特徴量のある画像がまだありません。特徴量はインポート後に計算されます（進み具合はステータスバーに表示）。その後「更新」を押してください。</translation>
    </message>
    <message>
        <source>image class</source>
        <translation>画像のクラス</translation>
    </message>
    <message>
        <source>box class</source>
        <translation>ボックスのクラス</translation>
    </message>
    <message>
        <source>missing box</source>
        <translation>欠けているボックス</translation>
    </message>
    <message>
        <source>misplaced box</source>
        <translation>位置のずれたボックス</translation>
    </message>
    <message>
        <source>not listed</source>
        <translation>一覧になし</translation>
    </message>
    <message>
        <source>not judged yet</source>
        <translation>まだ判定していません</translation>
    </message>
    <message>
        <source>no class</source>
        <translation>クラスなし</translation>
    </message>
    <message>
        <source>no split</source>
        <translation>分割なし</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <source>{0} images placed ({1})</source>
        <translation>{0} 枚の画像を配置しました（{1}）</translation>
    </message>
    <message>
        <source>; {0} without features yet</source>
        <translation>。特徴量がまだない画像 {0} 枚</translation>
    </message>
    <message>
        <source>; no likely mistakes found yet: Review &gt; Find likely mistakes</source>
        <translation>。誤りの候補はまだ探していません: レビュー &gt; 誤りの候補を探す</translation>
    </message>
    <message>
        <source>. Click a point to open its image; drag around points to list them.</source>
        <translation>。点をクリックすると画像を開きます。点を囲むようにドラッグすると一覧に表示します。</translation>
    </message>
</context>
<context>
    <name>DeviceLine</name>
    <message>
        <source>This run trains on {0}</source>
        <translation>この実行は {0} で学習します</translation>
    </message>
    <message>
        <source>Trained on {0}</source>
        <translation>{0} で学習</translation>
    </message>
</context>
<context>
    <name>DuplicatesWindow</name>
    <message>
        <source>all</source>
        <translation>すべて</translation>
    </message>
    <message>
        <source>exact</source>
        <translation>完全一致</translation>
    </message>
    <message>
        <source>near</source>
        <translation>類似</translation>
    </message>
    <message>
        <source>look-alike</source>
        <translation>見た目の類似</translation>
    </message>
    <message>
        <source>Duplicates</source>
        <translation>重複画像</translation>
    </message>
    <message>
        <source>hashing {0}/{1}…</source>
        <translation>ハッシュ計算中 {0}/{1}…</translation>
    </message>
    <message>
        <source>Largest Hamming distance of a near pair (inclusive, 64-bit hash)</source>
        <translation>類似ペアとみなす最大ハミング距離（この値を含む、64 ビットハッシュ）</translation>
    </message>
    <message>
        <source>Mirrored too</source>
        <translation>左右反転も検出</translation>
    </message>
    <message>
        <source>Look-alikes</source>
        <translation>見た目の類似も検出</translation>
    </message>
    <message>
        <source>Also pairs whose image features look alike: crops, quarter turns, mirrored and colour-shifted copies, rescaled screenshots</source>
        <translation>画像特徴量が似ているペアも検出します：切り抜き、90 度回転、左右反転と色の変更、縮小したスクリーンショット</translation>
    </message>
    <message>
        <source>Lowest look-alike score of a pair: the cosine similarity of the two images&apos; features less their usual similarity to their closest images (higher: fewer pairs)</source>
        <translation>ペアの類似スコアの下限：2 枚の画像特徴量のコサイン類似度から、それぞれが最も近い画像たちと普段どれだけ似ているかを引いた値（高いほどペアが減ります）</translation>
    </message>
    <message>
        <source>Find duplicates</source>
        <translation>重複を検出</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>ラベル競合</translation>
    </message>
    <message>
        <source>Leaks</source>
        <translation>リーク</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種類</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距離</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>フラグ</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>左</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>右</translation>
    </message>
    <message>
        <source>Suggested keeper</source>
        <translation>残す候補</translation>
    </message>
    <message>
        <source>The copy to keep: the largest resolution, then the largest file, then the oldest</source>
        <translation>残す画像: 解像度が最大のもの、次にファイルが最大のもの、次に最も古いもの</translation>
    </message>
    <message>
        <source>Flip (F)</source>
        <translation>切り替え (F)</translation>
    </message>
    <message>
        <source>Blink</source>
        <translation>点滅</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差分</translation>
    </message>
    <message>
        <source>The class both images should have</source>
        <translation>両方の画像に付けるクラス</translation>
    </message>
    <message>
        <source>Keep left</source>
        <translation>左を残す</translation>
    </message>
    <message>
        <source>Keep right</source>
        <translation>右を残す</translation>
    </message>
    <message>
        <source>Keep both (not a duplicate)</source>
        <translation>両方残す（重複ではない）</translation>
    </message>
    <message>
        <source>Exclude both</source>
        <translation>両方除外</translation>
    </message>
    <message>
        <source>Use this class for both</source>
        <translation>両方にこのクラスを付ける</translation>
    </message>
    <message>
        <source>Move excluded files to quarantine…</source>
        <translation>除外したファイルを隔離フォルダへ移動…</translation>
    </message>
    <message>
        <source>Hash</source>
        <translation>ハッシュ</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>停止しました</translation>
    </message>
    <message>
        <source>Finding duplicates</source>
        <translation>重複を検出中</translation>
    </message>
    <message>
        <source>searching pairs {0}/{1}…</source>
        <translation>ペアを検索中 {0}/{1}…</translation>
    </message>
    <message>
        <source>{0} pairs ({1} shown) in {2} groups · {3} conflicts · {4} leaks · {5} hashed</source>
        <translation>{2} グループに {0} ペア（表示 {1}）· ラベル競合 {3} · リーク {4} · ハッシュ計算済み {5}</translation>
    </message>
    <message>
        <source>A group with more than {0} pairs lists its {0} closest pairs; every image stays in its group</source>
        <translation>ペアが {0} 組を超えるグループは、最も近い {0} 組だけを一覧に表示します（画像はすべてグループに残ります）</translation>
    </message>
    <message>
        <source>{0} pairs in {1} groups · {2} conflicts · {3} leaks · {4} hashed</source>
        <translation>{1} グループに {0} ペア · ラベル競合 {2} · リーク {3} · ハッシュ計算済み {4}</translation>
    </message>
    <message>
        <source>{0} images left out of the look-alike search: their features are not computed yet (they are after an import, in the background)</source>
        <translation>{0} 枚の画像は見た目の類似の検索から除外されました：特徴量がまだ計算されていません（インポート後にバックグラウンドで計算されます）</translation>
    </message>
    <message>
        <source>conflict</source>
        <translation>ラベル競合</translation>
    </message>
    <message>
        <source>leak</source>
        <translation>リーク</translation>
    </message>
    <message>
        <source>mirrored</source>
        <translation>左右反転</translation>
    </message>
    <message>
        <source>More pairs ({0} not listed yet)</source>
        <translation>さらにペアを表示（未表示 {0}）</translation>
    </message>
    <message>
        <source>left</source>
        <translation>左</translation>
    </message>
    <message>
        <source>right</source>
        <translation>右</translation>
    </message>
    <message>
        <source>neither: {0}</source>
        <translation>どちらでもない: {0}</translation>
    </message>
    <message>
        <source>look-alike score {0:.3f} (1 is the closest)</source>
        <translation>類似スコア {0:.3f}（1 が最も近い）</translation>
    </message>
    <message>
        <source>{0} (suggested keeper)</source>
        <translation>{0}（残す候補）</translation>
    </message>
    <message>
        <source>This pair is decided; undo (Ctrl+Z) to review it again</source>
        <translation>このペアは判定済みです。見直すには元に戻して (Ctrl+Z) ください</translation>
    </message>
    <message>
        <source>Quarantine</source>
        <translation>隔離</translation>
    </message>
    <message>
        <source>No excluded files to move.</source>
        <translation>移動する除外ファイルはありません。</translation>
    </message>
    <message>
        <source>Move {0} excluded files to {1}?
Undo (Ctrl+Z) moves them back.</source>
        <translation>除外した {0} 個のファイルを {1} に移動しますか？
元に戻す (Ctrl+Z) で元の場所に戻せます。</translation>
    </message>
</context>
<context>
    <name>Editor</name>
    <message>
        <source>the project database is locked by another program ({0}); close it or wait, then try again</source>
        <translation>プロジェクトのデータベースが他のプログラムにロックされています ({0})。そのプログラムを閉じるか、しばらく待ってからやり直してください</translation>
    </message>
    <message>
        <source>the disk is full ({0}); free some space, then try again</source>
        <translation>ディスクがいっぱいです ({0})。空き容量を確保してからやり直してください</translation>
    </message>
    <message>
        <source>the project database is read-only ({0})</source>
        <translation>プロジェクトのデータベースが読み取り専用です ({0})</translation>
    </message>
    <message>
        <source>Not saved: {0}</source>
        <translation>保存されていません: {0}</translation>
    </message>
</context>
<context>
    <name>EvaluationGallery</name>
    <message>
        <source>{0} false, {1} missed</source>
        <translation>誤検出 {0}、見逃し {1}</translation>
    </message>
    <message>
        <source>{0}: {1} of {2} boxes found, {3} false, mean IoU {4:.2f}</source>
        <translation>{0}: {2} 個中 {1} 個のボックスを検出、誤検出 {3}、平均 IoU {4:.2f}</translation>
    </message>
    <message>
        <source>{0}: {1} predicted as {2} ({3})</source>
        <translation>{0}: {1} を {2} と予測 ({3})</translation>
    </message>
</context>
<context>
    <name>EvaluationView</name>
    <message>
        <source>Accuracy</source>
        <extracomment>Metric names as the tables show them (unknown ones are shown as they are stored).</extracomment>
        <translation>正解率</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>適合率</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>再現率</translation>
    </message>
    <message>
        <source>AP50</source>
        <translation>AP50</translation>
    </message>
    <message>
        <source>mAP50</source>
        <translation>mAP50</translation>
    </message>
    <message>
        <source>Mean IoU</source>
        <translation>平均 IoU</translation>
    </message>
    <message>
        <source>True boxes</source>
        <translation>正解ボックス</translation>
    </message>
    <message>
        <source>Predicted boxes</source>
        <translation>予測ボックス</translation>
    </message>
    <message>
        <source>Boxes found</source>
        <translation>検出できたボックス</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>Score threshold</source>
        <translation>スコアしきい値</translation>
    </message>
    <message>
        <source>Precision as proposed</source>
        <translation>適合率 (提案として)</translation>
    </message>
    <message>
        <source>Recall as proposed</source>
        <translation>再現率 (提案として)</translation>
    </message>
    <message>
        <source>Mean IoU as proposed</source>
        <translation>平均 IoU (提案として)</translation>
    </message>
    <message>
        <source>Accepted as is (as proposed)</source>
        <translation>そのまま承認される割合 (提案として)</translation>
    </message>
    <message>
        <source>IoU</source>
        <translation>IoU</translation>
    </message>
    <message>
        <source>Dice</source>
        <translation>Dice</translation>
    </message>
    <message>
        <source>Mean absolute error</source>
        <translation>平均絶対誤差</translation>
    </message>
    <message>
        <source>RMS error</source>
        <translation>二乗平均平方根誤差</translation>
    </message>
    <message>
        <source>Grade accuracy (tuned cut points)</source>
        <translation>グレード正解率（調整した区切り値）</translation>
    </message>
    <message>
        <source>Grade accuracy (rounding)</source>
        <translation>グレード正解率（四捨五入）</translation>
    </message>
    <message>
        <source>train</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>val</source>
        <translation>検証</translation>
    </message>
    <message>
        <source>test</source>
        <translation>テスト</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指標</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <source>Run {0} on the {1} split: {2} images</source>
        <translation>実行 {0}、{1}分割: 画像 {2} 枚</translation>
    </message>
    <message>
        <source>The test split has no usable image: these numbers are on the {0} split, which the model saw while training.</source>
        <translation>テスト分割に使える画像がありません: この数値はモデルが学習中に見た {0} 分割でのものです。</translation>
    </message>
    <message>
        <source>Only {0} reviewed images in the {1} split: with fewer than {2}, one image changes these numbers a lot. Review more images before trusting them.</source>
        <translation>{1}分割のレビュー済み画像は {0} 枚だけです: {2} 枚未満では画像 1 枚で数値が大きく変わります。信頼する前にもっと画像をレビューしてください。</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Pascal VOC (boxes)</source>
        <extracomment>The titles and reader lines of core&apos;s export formats, marked for translation here (core has no Qt, and lupdate cannot read a variable); tests/gui/test_translations.py checks them against EXPORT_FORMATS.</extracomment>
        <translation>Pascal VOC（ボックス）</translation>
    </message>
    <message>
        <source>XML per image, read by labelImg, CVAT and Datumaro (with labelmap.txt), TensorFlow&apos;s VOC scripts, keras-yolo3, torchvision.</source>
        <translation>画像ごとの XML。labelImg、CVAT、Datumaro（labelmap.txt 付き）、TensorFlow の VOC スクリプト、keras-yolo3、torchvision で読めます。</translation>
    </message>
    <message>
        <source>YOLO (boxes)</source>
        <translation>YOLO（ボックス）</translation>
    </message>
    <message>
        <source>images/{split}, labels/{split} and data.yaml that Ultralytics trains on; classes.txt beside the labels for labelImg and darknet.</source>
        <translation>Ultralytics でそのまま学習できる images/{split}、labels/{split}、data.yaml。labelImg と darknet 用にラベルの隣に classes.txt。</translation>
    </message>
    <message>
        <source>YOLOv3-keras (boxes)</source>
        <translation>YOLOv3-keras（ボックス）</translation>
    </message>
    <message>
        <source>train.txt, val.txt, test.txt of keras-yolo3 annotation lines with upright JPEG copies and classes.txt.</source>
        <translation>keras-yolo3 のアノテーション行を書いた train.txt、val.txt、test.txt と、向きを補正した JPEG のコピー、classes.txt。</translation>
    </message>
    <message>
        <source>COCO JSON (boxes and masks)</source>
        <translation>COCO JSON（ボックスとマスク）</translation>
    </message>
    <message>
        <source>annotations/instances_{split}.json and images/{split}: pycocotools, Detectron2, MMDetection, CVAT.</source>
        <translation>annotations/instances_{split}.json と images/{split}。pycocotools、Detectron2、MMDetection、CVAT で読めます。</translation>
    </message>
    <message>
        <source>labelme JSON (boxes and masks)</source>
        <translation>labelme JSON（ボックスとマスク）</translation>
    </message>
    <message>
        <source>A JSON and an upright JPEG per image: rectangles and polygons that labelme opens.</source>
        <translation>画像ごとに JSON と向きを補正した JPEG。labelme で開ける矩形とポリゴンです。</translation>
    </message>
    <message>
        <source>VOC segmentation set (masks)</source>
        <translation>VOC セグメンテーションセット（マスク）</translation>
    </message>
    <message>
        <source>Read by torchvision&apos;s VOCSegmentation, TensorFlow DeepLab, Datumaro and CVAT.</source>
        <translation>torchvision の VOCSegmentation、TensorFlow DeepLab、Datumaro、CVAT で読めます。</translation>
    </message>
    <message>
        <source>Crops (label trimming)</source>
        <translation>切り出し（ラベルトリミング）</translation>
    </message>
    <message>
        <source>A PNG per box or mask part, a folder per label: a classifier&apos;s training folders.</source>
        <translation>ボックスまたはマスクの各部分を PNG に、ラベルごとのフォルダーに保存。分類器の学習用フォルダーになります。</translation>
    </message>
    <message>
        <source>Augmented copies</source>
        <translation>データ拡張したコピー</translation>
    </message>
    <message>
        <source>Transformed copies of each image with its boxes (VOC XML) and masks: more training data.</source>
        <translation>各画像を変換したコピーを、ボックス（VOC XML）とマスクとともに書き出します。学習データを増やせます。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Pixels within this distance of a region&apos;s edge get index 255 (&apos;void&apos;), which VOC trainers ignore</source>
        <translation>領域の境界からこの距離以内の画素はインデックス 255（void）になり、VOC の学習では無視されます</translation>
    </message>
    <message>
        <source>Boxes: each box&apos;s region</source>
        <translation>ボックス: 各ボックスの領域</translation>
    </message>
    <message>
        <source>Masks: each connected part of each mask</source>
        <translation>マスク: 各マスクの連結した部分ごと</translation>
    </message>
    <message>
        <source>Cut out: transparent background (PNG with alpha from the mask)</source>
        <translation>切り抜き: 背景を透明に（マスクをアルファにした PNG）</translation>
    </message>
    <message>
        <source> % of its size on each side</source>
        <translation> %（各辺にサイズに対して）</translation>
    </message>
    <message>
        <source> per image</source>
        <translation> 枚（1 画像あたり）</translation>
    </message>
    <message>
        <source>Run-length encoding (exact)</source>
        <translation>ランレングス符号化（正確）</translation>
    </message>
    <message>
        <source>Polygons (outlines: holes are lost)</source>
        <translation>ポリゴン（輪郭のみ。穴は失われます）</translation>
    </message>
    <message>
        <source>Include pending proposals</source>
        <translation>保留中の提案も含める</translation>
    </message>
    <message>
        <source>Replace files that already exist</source>
        <translation>既存のファイルを置き換える</translation>
    </message>
    <message>
        <source>The folder to write into</source>
        <translation>書き出し先のフォルダー</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>レイアウト</translation>
    </message>
    <message>
        <source>Border band</source>
        <translation>境界帯</translation>
    </message>
    <message>
        <source>Crop</source>
        <translation>切り出し元</translation>
    </message>
    <message>
        <source>Padding</source>
        <translation>余白</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>コピー数</translation>
    </message>
    <message>
        <source>Masks as</source>
        <translation>マスクの形式</translation>
    </message>
    <message>
        <source>Into folder</source>
        <translation>書き出し先</translation>
    </message>
    <message>
        <source>labelImg: an XML per image, in a copy of the folder tree</source>
        <translation>labelImg: 画像ごとの XML を、フォルダー構成をそのまま写して</translation>
    </message>
    <message>
        <source>VOCdevkit/{0}: Annotations, JPEGImages, ImageSets</source>
        <translation>VOCdevkit/{0}: Annotations、JPEGImages、ImageSets</translation>
    </message>
    <message>
        <source>Into the folder itself (as Datumaro and CVAT write it)</source>
        <translation>フォルダーの直下に（Datumaro や CVAT と同じ）</translation>
    </message>
    <message>
        <source>{0} (where torchvision&apos;s VOCSegmentation looks)</source>
        <translation>{0}（torchvision の VOCSegmentation が読む場所）</translation>
    </message>
    <message>
        <source>Crops from masks only: a box has no outline to cut along</source>
        <translation>マスクからの切り出しのみ: ボックスには切り抜く輪郭がありません</translation>
    </message>
    <message>
        <source>Choose the folder to write into.</source>
        <translation>書き出し先のフォルダーを選んでください。</translation>
    </message>
    <message>
        <source>Give the folder&apos;s full path (or choose it with Browse…).</source>
        <translation>フォルダーの絶対パスを入力してください（または「参照…」で選んでください）。</translation>
    </message>
    <message>
        <source>{0} is a file, not a folder.</source>
        <translation>{0} はフォルダーではなくファイルです。</translation>
    </message>
    <message>
        <source>Export into folder</source>
        <translation>エクスポート先のフォルダー</translation>
    </message>
    <message>
        <source>tick “Include pending proposals”</source>
        <extracomment>The CLI&apos;s words in core messages, as the dialog says them (the core speaks to the command line).</extracomment>
        <translation>「保留中の提案も含める」にチェックを入れてください</translation>
    </message>
    <message>
        <source>tick “Replace files that already exist”</source>
        <translation>「既存のファイルを置き換える」にチェックを入れてください</translation>
    </message>
    <message>
        <source>import mask images (Project &gt; Import masks…)</source>
        <translation>マスク画像をインポートしてください（プロジェクト &gt; マスクをインポート…）</translation>
    </message>
</context>
<context>
    <name>FeatureJobs</name>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Stop computing image features (the images done are kept; the next import goes on from there)</source>
        <translation>画像特徴量の計算を中止します（計算済みの画像は保持され、次のインポートで続きから計算します）</translation>
    </message>
    <message>
        <source>Image features could not be computed: {0}</source>
        <translation>画像特徴量を計算できませんでした：{0}</translation>
    </message>
    <message>
        <source>Image features</source>
        <translation>画像特徴量</translation>
    </message>
    <message>
        <source>Image features…</source>
        <translation>画像特徴量…</translation>
    </message>
    <message>
        <source>Image features {0}/{1}</source>
        <translation>画像特徴量 {0}/{1}</translation>
    </message>
    <message>
        <source>Image features: {0} computed, {1} already done, {2} failed ({3:.0f} s)</source>
        <translation>画像特徴量：{0} 枚を計算、{1} 枚は計算済み、{2} 枚は失敗（{3:.0f} 秒）</translation>
    </message>
</context>
<context>
    <name>ImageListModel</name>
    <message>
        <source>no split</source>
        <translation>分割なし</translation>
    </message>
</context>
<context>
    <name>ImageNotes</name>
    <message>
        <source>EXIF orientation {0}: shown and exported upright</source>
        <translation>EXIF の向き {0}: 正しい向きで表示・エクスポートします</translation>
    </message>
    <message>
        <source>CMYK colour: converted to RGB</source>
        <translation>CMYK カラー: RGB に変換しました</translation>
    </message>
    <message>
        <source>16-bit samples: scaled to 8 bits</source>
        <translation>16 ビットの画素値: 8 ビットに変換しました</translation>
    </message>
    <message>
        <source>alpha channel: composited on white</source>
        <translation>アルファチャンネル: 白い背景に合成しました</translation>
    </message>
    <message>
        <source>truncated JPEG (no end-of-image marker): the missing part shows as grey</source>
        <translation>途中で切れた JPEG（終端マーカーがありません）: 欠けた部分は灰色で表示されます</translation>
    </message>
    <message>
        <source>truncated PNG (no IEND chunk): the missing rows show as grey</source>
        <translation>途中で切れた PNG（IEND チャンクがありません）: 欠けた行は灰色で表示されます</translation>
    </message>
    <message>
        <source>corrupt PNG (bad checksum in the {0} chunk): damaged rows show as grey</source>
        <translation>壊れた PNG（{0} チャンクのチェックサムが不正）: 壊れた行は灰色で表示されます</translation>
    </message>
    <message>
        <source>corrupt PNG data (zlib: {0}): damaged rows show as grey</source>
        <translation>壊れた PNG データ（zlib: {0}）: 壊れた行は灰色で表示されます</translation>
    </message>
    <message>
        <source>corrupt PNG data (the compressed image data ends early): missing rows show as grey</source>
        <translation>壊れた PNG データ（圧縮データが途中で終わっています）: 欠けた行は灰色で表示されます</translation>
    </message>
    <message>
        <source>{0} image: this format is not supported (convert it to JPEG or PNG to import it)</source>
        <translation>{0} 画像: この形式には対応していません（インポートするには JPEG か PNG に変換してください）</translation>
    </message>
    <message>
        <source>empty file (0 bytes)</source>
        <translation>空のファイル（0 バイト）</translation>
    </message>
    <message>
        <source>cannot read the file ({0})</source>
        <translation>ファイルを読み込めません（{0}）</translation>
    </message>
    <message>
        <source>absurd dimensions {0}x{1} ({2} megapixels, limit {3}): refused as a possible decompression bomb</source>
        <translation>異常な画像サイズ {0}x{1}（{2} メガピクセル、上限 {3}）: 展開爆弾の可能性があるため読み込みません</translation>
    </message>
    <message>
        <source>absurd dimensions, refused as a possible decompression bomb ({0})</source>
        <translation>異常な画像サイズ: 展開爆弾の可能性があるため読み込みません（{0}）</translation>
    </message>
    <message>
        <source>not an image (the content is not a format this program can read)</source>
        <translation>画像ではありません（このプログラムで読める形式ではありません）</translation>
    </message>
    <message>
        <source>unreadable image header ({0})</source>
        <translation>画像のヘッダーを読み込めません（{0}）</translation>
    </message>
    <message>
        <source>{0}: cannot decode ({1})</source>
        <translation>{0}: デコードできません（{1}）</translation>
    </message>
    <message>
        <source>the label {0} has a line break: a label is one line</source>
        <translation>ラベル {0} に改行が含まれています: ラベルは 1 行です</translation>
    </message>
    <message>
        <source>the label {0} has a control character ({1}): a label is printable text</source>
        <translation>ラベル {0} に制御文字 ({1}) が含まれています: ラベルには印字できる文字だけを使います</translation>
    </message>
    <message>
        <source>the label {0} has a character that is not valid Unicode ({1})</source>
        <translation>ラベル {0} に Unicode として不正な文字 ({1}) が含まれています</translation>
    </message>
    <message>
        <source>leads outside the project folder: not used</source>
        <translation>プロジェクトフォルダーの外を指しています: 使用しません</translation>
    </message>
    <message>
        <source>an absolute path: not used (paths are kept relative to the project)</source>
        <translation>絶対パスです: 使用しません (パスはプロジェクトからの相対パスで保持されます)</translation>
    </message>
    <message>
        <source>leads out of its folder with &apos;..&apos;: not used</source>
        <translation>&apos;..&apos; でフォルダーの外に出ています: 使用しません</translation>
    </message>
    <message>
        <source>a link leading outside the project folder: not read</source>
        <translation>プロジェクトフォルダーの外を指すリンクです: 読み込みません</translation>
    </message>
    <message>
        <source>an empty or unreadable path: not used</source>
        <translation>空または読めないパスです: 使用しません</translation>
    </message>
</context>
<context>
    <name>ImportAnnotationsDialog</name>
    <message>
        <source>Find the format automatically</source>
        <extracomment>A readable title for every ``import --format`` value, in the order the list shows them.</extracomment>
        <translation>形式を自動で判定</translation>
    </message>
    <message>
        <source>Pascal VOC XML (labelImg, CVAT, Datumaro)</source>
        <translation>Pascal VOC XML（labelImg、CVAT、Datumaro）</translation>
    </message>
    <message>
        <source>YOLO txt (darknet, labelImg, Ultralytics data.yaml)</source>
        <translation>YOLO txt（darknet、labelImg、Ultralytics の data.yaml）</translation>
    </message>
    <message>
        <source>COCO JSON (boxes, polygons, RLE masks)</source>
        <translation>COCO JSON（ボックス、ポリゴン、RLE マスク）</translation>
    </message>
    <message>
        <source>labelme JSON (rectangles, polygons)</source>
        <translation>labelme JSON（矩形、ポリゴン）</translation>
    </message>
    <message>
        <source>CVAT for images XML</source>
        <translation>CVAT for images XML</translation>
    </message>
    <message>
        <source>Label Studio JSON</source>
        <translation>Label Studio JSON</translation>
    </message>
    <message>
        <source>CreateML JSON</source>
        <translation>CreateML JSON</translation>
    </message>
    <message>
        <source>VOCdevkit (VOC2007/VOC2012 folders)</source>
        <translation>VOCdevkit（VOC2007/VOC2012 フォルダー）</translation>
    </message>
    <message>
        <source>CIFAR python batches</source>
        <translation>CIFAR の Python バッチ</translation>
    </message>
    <message>
        <source>One folder per class (image classes)</source>
        <translation>クラスごとのフォルダー（画像単位のクラス）</translation>
    </message>
    <message>
        <source>Images only, no annotations</source>
        <translation>画像のみ（アノテーションなし）</translation>
    </message>
    <message>
        <source>Import annotations</source>
        <translation>アノテーションのインポート</translation>
    </message>
    <message>
        <source>A folder of annotation files, or one file</source>
        <translation>アノテーションファイルのフォルダー、または 1 つのファイル</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>フォルダー…</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>ファイル…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>インポート</translation>
    </message>
    <message>
        <source>Annotations:</source>
        <translation>アノテーション:</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>形式:</translation>
    </message>
    <message>
        <source>Boxes and masks these files give the project&apos;s images are added, or refreshed where nobody has worked on the image yet; verified images and edited annotations are kept and reported as conflicts. Pascal VOC and YOLO read a folder; the JSON and CVAT formats read a folder or one file.</source>
        <translation>これらのファイルにあるプロジェクト画像のボックスとマスクを追加します。まだ誰も作業していない画像では更新します。確認済みの画像と修正済みのアノテーションはそのまま残し、競合として報告します。Pascal VOC と YOLO はフォルダーを、JSON 形式と CVAT はフォルダーまたは 1 つのファイルを読み込みます。</translation>
    </message>
    <message>
        <source>Folder of annotation files</source>
        <translation>アノテーションファイルのフォルダー</translation>
    </message>
    <message>
        <source>Annotation file</source>
        <translation>アノテーションファイル</translation>
    </message>
    <message>
        <source>Annotation files (*.json *.xml *.txt *.yaml *.yml);;All files (*)</source>
        <translation>アノテーションファイル (*.json *.xml *.txt *.yaml *.yml);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>{0} does not exist</source>
        <translation>{0} は存在しません</translation>
    </message>
</context>
<context>
    <name>JobStatus</name>
    <message>
        <source>scanning folder</source>
        <translation>フォルダーを走査中</translation>
    </message>
    <message>
        <source>reading image headers</source>
        <translation>画像のヘッダーを読み込み中</translation>
    </message>
    <message>
        <source>unpacking {0}</source>
        <translation>{0} を展開中</translation>
    </message>
    <message>
        <source>left out of training: {0}: {1}</source>
        <translation>学習から外しました: {0}: {1}</translation>
    </message>
    <message>
        <source>reading masks</source>
        <translation>マスクを読み込み中</translation>
    </message>
    <message>
        <source>hashing {0} images ({1} from the cache)</source>
        <translation>{0} 枚の画像のハッシュを計算中（キャッシュから {1} 枚）</translation>
    </message>
    <message>
        <source>searching pairs</source>
        <translation>ペアを検索中</translation>
    </message>
    <message>
        <source>comparing features</source>
        <translation>特徴量を比較中</translation>
    </message>
    <message>
        <source>computing features of {0} images ({1} already done)</source>
        <translation>{0} 枚の画像の特徴量を計算中（{1} 枚は計算済み）</translation>
    </message>
    <message>
        <source>loading {0} images</source>
        <translation>{0} 枚の画像を読み込み中</translation>
    </message>
    <message>
        <source>training {0}: {1} images, {2} batches per epoch</source>
        <translation>{0} を学習中: 画像 {1} 枚、1 エポックあたり {2} バッチ</translation>
    </message>
    <message>
        <source>epoch {0}/{1}</source>
        <translation>エポック {0}/{1}</translation>
    </message>
    <message>
        <source>rotation is not used for detection (a rotated box is no longer tight)</source>
        <translation>検出では回転を使いません（回転したボックスは物体にぴったり合わなくなるため）</translation>
    </message>
    <message>
        <source>heatmaps of {0} reviewed images, {1} layers</source>
        <translation>レビュー済みの {0} 枚の画像のヒートマップ（{1} 層）</translation>
    </message>
    <message>
        <source>tuning fold {0}/{1}</source>
        <translation>交差検証の分割 {0}/{1} で調整中</translation>
    </message>
    <message>
        <source>tuning on all reviewed images</source>
        <translation>レビュー済みのすべての画像で調整中</translation>
    </message>
    <message>
        <source>calibrating run {0}&apos;s score threshold on {1} reviewed images it did not train on</source>
        <translation>実行 {0} が学習していないレビュー済み画像 {1} 枚でスコアしきい値を較正中</translation>
    </message>
    <message>
        <source>score threshold not calibrated: {0}</source>
        <translation>スコアしきい値は較正されませんでした: {0}</translation>
    </message>
    <message>
        <source>next proposals: score threshold {0}, from run {1}&apos;s calibration</source>
        <translation>次の提案: スコアしきい値 {0}（実行 {1} の較正から）</translation>
    </message>
    <message>
        <source>next proposals: score threshold {0}</source>
        <translation>次の提案: スコアしきい値 {0}</translation>
    </message>
    <message>
        <source>image features</source>
        <translation>画像の特徴量</translation>
    </message>
    <message>
        <source>box features</source>
        <translation>ボックスの特徴量</translation>
    </message>
    <message>
        <source>fitting the box refinement</source>
        <translation>ボックスの微調整を学習中</translation>
    </message>
    <message>
        <source>{0} validation images, too few to judge the epochs: they train too</source>
        <translation>検証画像が {0} 枚で、エポックの比較には少なすぎます: これらも学習に使います</translation>
    </message>
    <message>
        <source>box refinement: left out {0}: {1}</source>
        <translation>ボックスの微調整から除外: {0}: {1}</translation>
    </message>
    <message>
        <source>fitting the box classes</source>
        <translation>ボックスのクラス判定を学習中</translation>
    </message>
    <message>
        <source>box classes: left out {0}: {1}</source>
        <translation>ボックスのクラス判定から除外: {0}: {1}</translation>
    </message>
    <message>
        <source>detections on {0} reviewed images</source>
        <translation>レビュー済みの {0} 枚の画像で検出中</translation>
    </message>
    <message>
        <source>fold {0}/{1}: training a detector on {2} images</source>
        <translation>分割 {0}/{1}: {2} 枚の画像で検出器を学習中</translation>
    </message>
    <message>
        <source>worker {0} of {1}: batches of {2} images, {3} on each of {4} replicas</source>
        <translation>ワーカー {0}/{1}: バッチ {2} 枚 (レプリカ {4} 個にそれぞれ {3} 枚)</translation>
    </message>
    <message>
        <source>running</source>
        <extracomment>A training run&apos;s status (core/store/runs.py, ml/train.py), as the Runs list and the end of a run show it.</extracomment>
        <translation>実行中</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>完了</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>キャンセル済み</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>中断</translation>
    </message>
</context>
<context>
    <name>LabelDialog</name>
    <message>
        <source>Box label</source>
        <translation>ボックスのラベル</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>System</source>
        <translation>システムの設定</translation>
    </message>
    <message>
        <source>Changing the language now</source>
        <translation>今すぐ言語を切り替える</translation>
    </message>
    <message>
        <source>The new language applies when labelstudio-desktop is started again.</source>
        <extracomment>The languages offered (code, name in that language): the names are never translated.</extracomment>
        <translation>新しい言語は labelstudio-desktop を次に起動したときに反映されます。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>labelstudio-desktop</source>
        <extracomment>The version its saved dock and toolbar layout is stored under (read by a rebuild in another language).</extracomment>
        <translation>labelstudio-desktop</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>Image and objects</source>
        <translation>画像とオブジェクト</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>The check of the project&apos;s folders for links failed: {0}</source>
        <translation>プロジェクトのフォルダーのリンク確認に失敗しました: {0}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>開く</translation>
    </message>
    <message>
        <source>Open a folder of images as a project</source>
        <translation>画像フォルダーをプロジェクトとして開く</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>インポート</translation>
    </message>
    <message>
        <source>Re-import the project folder: new files in, changed ones refreshed</source>
        <translation>プロジェクトのフォルダーを再インポート: 新しいファイルを追加し、変更されたファイルを更新</translation>
    </message>
    <message>
        <source>Find duplicates</source>
        <translation>重複を検出</translation>
    </message>
    <message>
        <source>Find exact and near duplicates, label conflicts and split leaks</source>
        <translation>完全一致・類似の重複画像、ラベルの競合、分割間のリークを検出</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Train a model in the background</source>
        <translation>バックグラウンドでモデルを学習</translation>
    </message>
    <message>
        <source>Retrain</source>
        <translation>再学習</translation>
    </message>
    <message>
        <source>One click: retrain the last task from its model on the reviewed annotations</source>
        <translation>ワンクリック: 前回のタスクを、そのモデルからレビュー済みのアノテーションで再学習</translation>
    </message>
    <message>
        <source>Propose</source>
        <translation>提案</translation>
    </message>
    <message>
        <source>Proposals for review: masks from the U-Net when the project&apos;s work is masks; boxes from the detector once one is trained, from Grad-CAM before</source>
        <translation>レビュー用の提案を生成: プロジェクトの作業がマスクなら U-Net のマスク、ボックスなら学習済みの検出器（学習前は Grad-CAM）のボックス</translation>
    </message>
    <message>
        <source>Accept proposal</source>
        <translation>提案を承認</translation>
    </message>
    <message>
        <source>Reject proposal</source>
        <translation>提案を却下</translation>
    </message>
    <message>
        <source>Accept all proposals on this image</source>
        <translation>この画像の提案をすべて承認</translation>
    </message>
    <message>
        <source>Accept all with score ≥ …</source>
        <translation>スコアが指定値以上の提案をすべて承認…</translation>
    </message>
    <message>
        <source>Next image with proposals</source>
        <translation>提案のある次の画像</translation>
    </message>
    <message>
        <source>Next image to review</source>
        <translation>次にレビューする画像</translation>
    </message>
    <message>
        <source>The image the model is least sure about, least like those reviewed (Shift+N)</source>
        <translation>モデルの確信が最も低く、レビュー済みの画像に最も似ていない画像（Shift+N）</translation>
    </message>
    <message>
        <source>Calibrate proposals from review</source>
        <translation>レビュー結果から提案を調整</translation>
    </message>
    <message>
        <source>Tune threshold, padding and layer on the boxes reviewed so far</source>
        <translation>これまでにレビューしたボックスで、しきい値・余白・層を調整します</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>ヒートマップ</translation>
    </message>
    <message>
        <source>Show the Grad-CAM heatmap (G)</source>
        <translation>Grad-CAM のヒートマップを表示 (G)</translation>
    </message>
    <message>
        <source>Import masks…</source>
        <translation>マスクをインポート…</translation>
    </message>
    <message>
        <source>Import mask images from a folder, matched to the images by file name</source>
        <translation>フォルダーからマスク画像をインポート（ファイル名で画像と対応付け）</translation>
    </message>
    <message>
        <source>Import annotations…</source>
        <translation>アノテーションをインポート…</translation>
    </message>
    <message>
        <source>Read boxes and masks from annotation files of another folder or a file (VOC, YOLO, COCO, labelme, CVAT, Label Studio, CreateML)</source>
        <translation>別のフォルダーまたはファイルのアノテーションからボックスとマスクを読み込む（VOC、YOLO、COCO、labelme、CVAT、Label Studio、CreateML）</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>エクスポート…</translation>
    </message>
    <message>
        <source>Export: Pascal VOC, YOLO, a VOC segmentation set of the masks, crops, augmented copies</source>
        <translation>エクスポート: Pascal VOC、YOLO、マスクの VOC セグメンテーションセット、切り出し画像、データ拡張したコピー</translation>
    </message>
    <message>
        <source>Classes…</source>
        <translation>クラス…</translation>
    </message>
    <message>
        <source>The project&apos;s classes in export order: add, rename, merge, reorder</source>
        <translation>プロジェクトのクラスをエクスポート順に一覧: 追加・名前の変更・統合・並べ替え</translation>
    </message>
    <message>
        <source>Close project</source>
        <translation>プロジェクトを閉じる</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>やり直す</translation>
    </message>
    <message>
        <source>Draw box</source>
        <translation>ボックスを描く</translation>
    </message>
    <message>
        <source>Draw a box (W)</source>
        <translation>ボックスを描く (W)</translation>
    </message>
    <message>
        <source>Stay in draw mode after a box</source>
        <translation>ボックスを描いた後も描画モードを続ける</translation>
    </message>
    <message>
        <source>When off, the tool returns to selecting after each new box</source>
        <translation>オフのときは、ボックスを 1 つ描くたびに選択ツールに戻ります</translation>
    </message>
    <message>
        <source>Delete box</source>
        <translation>ボックスを削除</translation>
    </message>
    <message>
        <source>Duplicate box</source>
        <translation>ボックスを複製</translation>
    </message>
    <message>
        <source>Change label</source>
        <translation>ラベルを変更</translation>
    </message>
    <message>
        <source>Copy boxes from previous image</source>
        <translation>前の画像からボックスをコピー</translation>
    </message>
    <message>
        <source>Hide boxes</source>
        <translation>ボックスを隠す</translation>
    </message>
    <message>
        <source>Show rejected proposals</source>
        <translation>却下した提案を表示</translation>
    </message>
    <message>
        <source>Next image</source>
        <translation>次の画像</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>前の画像</translation>
    </message>
    <message>
        <source>Next unverified image</source>
        <translation>次の未確認の画像</translation>
    </message>
    <message>
        <source>Verify and next (keep proposals)</source>
        <translation>確認済みにして次へ（提案を承認）</translation>
    </message>
    <message>
        <source>Space on the canvas: pending proposals are accepted</source>
        <translation>画像上で Space: 保留中の提案は承認されます</translation>
    </message>
    <message>
        <source>Verify and next (reject proposals)</source>
        <translation>確認済みにして次へ（提案を却下）</translation>
    </message>
    <message>
        <source>Shift+Space on the canvas: pending proposals are rejected</source>
        <translation>画像上で Shift+Space: 保留中の提案は却下されます</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
    <message>
        <source>1:1</source>
        <translation>等倍</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>ショートカット</translation>
    </message>
    <message>
        <source>Ask for a label for each new box</source>
        <translation>新しいボックスごとにラベルを尋ねる</translation>
    </message>
    <message>
        <source>When off, new boxes get the image&apos;s class, else the last label used</source>
        <translation>オフのとき、新しいボックスには画像のクラス、なければ最後に使ったラベルが付きます</translation>
    </message>
    <message>
        <source>Ask for a label even when the image&apos;s class gives it</source>
        <translation>画像のクラスでラベルが決まるときもラベルを尋ねる</translation>
    </message>
    <message>
        <source>When off, a box drawn on an image whose class is a known label takes that label without a dialog</source>
        <translation>オフのとき、既知のラベルをクラスに持つ画像に描いたボックスは、ダイアログなしでそのラベルになります</translation>
    </message>
    <message>
        <source>Class {0}</source>
        <translation>クラス {0}</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>メイン</translation>
    </message>
    <message>
        <source>Next to review</source>
        <translation>次のレビュー</translation>
    </message>
    <message>
        <source>&amp;Project</source>
        <translation>プロジェクト(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>編集(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Mask</source>
        <translation>マスク(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Class</source>
        <translation>クラス(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>レビュー(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>設定(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>Open a folder of images</source>
        <translation>画像フォルダーを開く</translation>
    </message>
    <message>
        <source>a background job</source>
        <translation>バックグラウンドの処理</translation>
    </message>
    <message>
        <source>Stop running jobs?</source>
        <translation>実行中の処理を止めますか？</translation>
    </message>
    <message>
        <source>{0} is still running. {1} stops it; what it has not finished is lost.

Stop it and go on?</source>
        <translation>{0} はまだ実行中です。{1}と処理は止まり、終わっていない分は失われます。

止めて続けますか？</translation>
    </message>
    <message>
        <source>Closing the project</source>
        <translation>プロジェクトを閉じる</translation>
    </message>
    <message>
        <source>Opening another project</source>
        <translation>別のプロジェクトを開く</translation>
    </message>
    <message>
        <source>Cannot open project</source>
        <translation>プロジェクトを開けません</translation>
    </message>
    <message>
        <source>{0} — labelstudio-desktop</source>
        <translation>{0} — labelstudio-desktop</translation>
    </message>
    <message>
        <source>{0} record(s) of this project refused: they point outside the project folder and are not used (labelstudio-desktop info lists them)</source>
        <translation>このプロジェクトの {0} 件のレコードを拒否しました: プロジェクトフォルダーの外を指しているため使用しません (labelstudio-desktop info で一覧できます)</translation>
    </message>
    <message>
        <source>Class {0}: {1}</source>
        <translation>クラス {0}: {1}</translation>
    </message>
    <message>
        <source>No unverified image after this one</source>
        <translation>この後に未確認の画像はありません</translation>
    </message>
    <message>
        <source>Verified with {0} proposals accepted</source>
        <translation>確認済みにしました（提案 {0} 件を承認）</translation>
    </message>
    <message>
        <source>Verified with {0} proposals rejected</source>
        <translation>確認済みにしました（提案 {0} 件を却下）</translation>
    </message>
    <message>
        <source>Copied {0} boxes</source>
        <translation>ボックス {0} 個をコピーしました</translation>
    </message>
    <message>
        <source>Quitting</source>
        <translation>終了する</translation>
    </message>
</context>
<context>
    <name>MaskActions</name>
    <message>
        <source>Mask brush</source>
        <translation>マスクブラシ</translation>
    </message>
    <message>
        <source>Paint the mask with a round brush (B); [ and ] change its size</source>
        <translation>丸いブラシでマスクを塗る (B)。[ と ] でサイズを変更</translation>
    </message>
    <message>
        <source>Mask eraser</source>
        <translation>マスク消しゴム</translation>
    </message>
    <message>
        <source>Erase the mask (E); [ and ] change the size</source>
        <translation>マスクを消す (E)。[ と ] でサイズを変更</translation>
    </message>
    <message>
        <source>Mask polygon</source>
        <translation>マスクポリゴン</translation>
    </message>
    <message>
        <source>Click vertices; Enter or a double click fills, Backspace removes the last, Esc cancels (P)</source>
        <translation>頂点をクリック。Enter かダブルクリックで塗りつぶし、Backspace で最後の頂点を削除、Esc で取り消し (P)</translation>
    </message>
    <message>
        <source>Box to mask (GrabCut)</source>
        <translation>ボックスからマスク (GrabCut)</translation>
    </message>
    <message>
        <source>Drag a box around an object; then drag inside it to mark foreground (left) or background (right) and GrabCut runs again (C)</source>
        <translation>物体を囲むようにボックスをドラッグ。その中をドラッグして前景（左ボタン）または背景（右ボタン）を指定すると GrabCut が再実行されます (C)</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>ブラシ</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>消しゴム</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>ポリゴン</translation>
    </message>
    <message>
        <source>GrabCut</source>
        <translation>GrabCut</translation>
    </message>
    <message>
        <source>Smaller brush</source>
        <translation>ブラシを小さく</translation>
    </message>
    <message>
        <source>Larger brush</source>
        <translation>ブラシを大きく</translation>
    </message>
    <message>
        <source>Mask outline view</source>
        <translation>マスクの輪郭表示</translation>
    </message>
    <message>
        <source>Show the masks&apos; edges only (O)</source>
        <translation>マスクの輪郭だけを表示 (O)</translation>
    </message>
    <message>
        <source>Fill holes in the mask</source>
        <translation>マスクの穴を埋める</translation>
    </message>
    <message>
        <source>Clear the mask</source>
        <translation>マスクを消去</translation>
    </message>
    <message>
        <source>Accept mask</source>
        <translation>マスクを承認</translation>
    </message>
    <message>
        <source>Accept the proposed mask as shown, binarised at the threshold</source>
        <translation>提案されたマスクを表示どおりに、しきい値で二値化して承認</translation>
    </message>
    <message>
        <source>Reject mask</source>
        <translation>マスクを却下</translation>
    </message>
    <message>
        <source>Smaller</source>
        <translation>小さく</translation>
    </message>
    <message>
        <source>Larger</source>
        <translation>大きく</translation>
    </message>
    <message>
        <source>Outline</source>
        <translation>輪郭</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>穴を埋める</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>消去</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>マスク</translation>
    </message>
</context>
<context>
    <name>MaskControls</name>
    <message>
        <source>asked at the first stroke</source>
        <translation>最初に塗るときに指定</translation>
    </message>
    <message>
        <source>The label the mask tools paint (the image&apos;s class when it has one)</source>
        <translation>マスクツールで塗るラベル（画像にクラスがあればそのクラス）</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Brush and eraser diameter in image pixels ([ and ] on the image)</source>
        <translation>ブラシと消しゴムの直径（画像のピクセル単位。画像上で [ と ]）</translation>
    </message>
    <message>
        <source>Outline only</source>
        <translation>輪郭のみ</translation>
    </message>
    <message>
        <source>Show the masks&apos; edges instead of filled masks (O)</source>
        <translation>塗りつぶしではなくマスクの輪郭を表示 (O)</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>穴を埋める</translation>
    </message>
    <message>
        <source>Clear mask</source>
        <translation>マスクを消去</translation>
    </message>
    <message>
        <source>Mask label</source>
        <translation>マスクのラベル</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>ブラシ</translation>
    </message>
</context>
<context>
    <name>MaskEditor</name>
    <message>
        <source>new mask &apos;{0}&apos;</source>
        <translation>新しいマスク「{0}」</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>保留中</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>承認済み</translation>
    </message>
    <message>
        <source>{0} mask &apos;{1}&apos;</source>
        <translation>{0}のマスク「{1}」</translation>
    </message>
    <message>
        <source>Masks of {0} that cannot be shown: {1}</source>
        <translation>表示できない {0} のマスク: {1}</translation>
    </message>
    <message>
        <source>fill polygon</source>
        <translation>ポリゴンの塗りつぶし</translation>
    </message>
    <message>
        <source>fill holes</source>
        <translation>穴埋め</translation>
    </message>
    <message>
        <source>clear mask</source>
        <translation>マスクの消去</translation>
    </message>
    <message>
        <source>Cannot read {0}: {1}</source>
        <translation>{0} を読み込めません: {1}</translation>
    </message>
    <message>
        <source>box to mask</source>
        <translation>ボックスからマスク</translation>
    </message>
    <message>
        <source>GrabCut hint</source>
        <translation>GrabCut のヒント</translation>
    </message>
    <message>
        <source>GrabCut…</source>
        <translation>GrabCut 実行中…</translation>
    </message>
    <message>
        <source>GrabCut failed: {0}</source>
        <translation>GrabCut に失敗しました: {0}</translation>
    </message>
    <message>
        <source>GrabCut: {0} pixels; drag inside the box to add (left) or remove (right) parts, Esc to finish</source>
        <translation>GrabCut: {0} ピクセル。ボックス内をドラッグして部分を追加（左ボタン）または削除（右ボタン）、Esc で終了</translation>
    </message>
    <message>
        <source>reject mask</source>
        <translation>マスクの却下</translation>
    </message>
    <message>
        <source>accept mask</source>
        <translation>マスクの承認</translation>
    </message>
    <message>
        <source>erase mask</source>
        <translation>マスクを消す</translation>
    </message>
    <message>
        <source>paint mask</source>
        <translation>マスクを塗る</translation>
    </message>
</context>
<context>
    <name>MistakesDock</name>
    <message>
        <source>Likely mistakes</source>
        <translation>誤りの候補</translation>
    </message>
    <message>
        <source>Find likely &amp;mistakes…</source>
        <translation>誤りの候補を探す(&amp;M)…</translation>
    </message>
    <message>
        <source>Image and box classes the images&apos; features disagree with, worst first</source>
        <translation>画像の特徴量と合わない画像クラスとボックスクラスを、疑わしい順に表示</translation>
    </message>
</context>
<context>
    <name>MistakesPanel</name>
    <message>
        <source>Likely mistakes could not be found: {0}</source>
        <translation>誤りの候補を探せませんでした: {0}</translation>
    </message>
    <message>
        <source>Find likely mistakes</source>
        <translation>誤りの候補を探す</translation>
    </message>
    <message>
        <source>Judge every image class and box class by a model fitted on the other images&apos; features (out of fold)</source>
        <translation>すべての画像クラスとボックスクラスを、ほかの画像の特徴量で学習したモデルで判定します（アウトオブフォールド）</translation>
    </message>
    <message>
        <source>Also missing and misplaced boxes</source>
        <translation>欠けているボックスと位置のずれたボックスも</translation>
    </message>
    <message>
        <source>Train a box detector on each part of the reviewed images and compare the boxes with what the one that never saw the image finds (minutes)</source>
        <translation>確認済み画像の各分割でボックス検出器を学習し、その画像を一度も見ていない検出器が見つけるボックスと比べます（数分かかります）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Not searched yet.</source>
        <translation>まだ探していません。</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>オブジェクト</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
    <message>
        <source>Model says</source>
        <translation>モデルの判定</translation>
    </message>
    <message>
        <source>Doubt</source>
        <translation>疑わしさ</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>修正</translation>
    </message>
    <message>
        <source>Give it the class the model says (Enter; undo with Ctrl+Z)</source>
        <translation>モデルの判定したクラスにします（Enter。Ctrl+Z で元に戻せます）</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>そのまま</translation>
    </message>
    <message>
        <source>Leave its class as it is and take it off the list (Delete)</source>
        <translation>クラスをそのままにして一覧から外します（Delete）</translation>
    </message>
    <message>
        <source>Computing features and judging every class…</source>
        <translation>特徴量を計算し、すべてのクラスを判定しています…</translation>
    </message>
    <message>
        <source>Likely mistakes</source>
        <translation>誤りの候補</translation>
    </message>
    <message>
        <source>{0} likely mistakes among {1} image and box classes judged.</source>
        <translation>判定した画像クラスとボックスクラス {1} 件のうち、誤りの候補は {0} 件です。</translation>
    </message>
    <message>
        <source>image classes</source>
        <translation>画像クラス</translation>
    </message>
    <message>
        <source>box classes</source>
        <translation>ボックスクラス</translation>
    </message>
    <message>
        <source>The model agrees with {0:.0%} of the {1}.</source>
        <translation>モデルは{1}の {0:.0%} と一致しています。</translation>
    </message>
    <message>
        <source>Too few to judge: {0}.</source>
        <translation>少なすぎて判定できません: {0}。</translation>
    </message>
    <message>
        <source>Nothing to judge: at least two classes with three images or boxes each are needed.</source>
        <translation>判定するものがありません。画像またはボックスが 3 件以上あるクラスが 2 つ以上必要です。</translation>
    </message>
    <message>
        <source>{0} images could not be read.</source>
        <translation>{0} 枚の画像を読み込めませんでした。</translation>
    </message>
    <message>
        <source>Box places not judged: {0}</source>
        <translation>ボックスの位置は判定されませんでした: {0}</translation>
    </message>
    <message>
        <source>{0} boxes likely missing and {1} likely misplaced on {2} reviewed images; the detectors confirm {3:.0%} of the boxes.</source>
        <translation>確認済み画像 {2} 枚で、欠けている可能性のあるボックス {0} 個、位置がずれている可能性のあるボックス {1} 個。検出器はボックスの {3:.0%} を確認しています。</translation>
    </message>
    <message>
        <source>missing box</source>
        <translation>欠けているボックス</translation>
    </message>
    <message>
        <source>a box here ({0:.0%})</source>
        <translation>ここにボックス（{0:.0%}）</translation>
    </message>
    <message>
        <source>box {0}</source>
        <translation>ボックス {0}</translation>
    </message>
    <message>
        <source>moved ({0:.0%})</source>
        <translation>移動（{0:.0%}）</translation>
    </message>
    <message>
        <source>image</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>The model gives this class {0:.0%}</source>
        <translation>モデルはこのクラスを {0:.0%} と見ています</translation>
    </message>
    <message>
        <source>The detector&apos;s box overlaps this one at IoU {0:.2f}</source>
        <translation>検出器のボックスはこのボックスと IoU {0:.2f} で重なっています</translation>
    </message>
    <message>
        <source>That box changed since the search: left as it is.</source>
        <translation>そのボックスは検索後に変更されたため、そのままにしました。</translation>
    </message>
    <message>
        <source>{0}: class set to {1}</source>
        <translation>{0}: クラスを {1} にしました</translation>
    </message>
    <message>
        <source>{0}: box &apos;{1}&apos; added</source>
        <translation>{0}: ボックス「{1}」を追加しました</translation>
    </message>
    <message>
        <source>{0}: box {1} moved</source>
        <translation>{0}: ボックス {1} を移動しました</translation>
    </message>
    <message>
        <source>Kept as it is.</source>
        <translation>そのままにしました。</translation>
    </message>
</context>
<context>
    <name>ProcessJob</name>
    <message>
        <source>the training process stopped unexpectedly (exit code {0}); it may have run out of memory</source>
        <translation>学習プロセスが予期せず終了しました（終了コード {0}）。メモリ不足の可能性があります</translation>
    </message>
</context>
<context>
    <name>ProjectJobs</name>
    <message>
        <source>Importing {0}</source>
        <extracomment>The demo `make run` opens (the Makefile&apos;s DEMO and DEMO_ANNOTATED; a test keeps the two the same): part of its images come with their true boxes and masks, so every model can be trained at once.</extracomment>
        <translation>{0} をインポート中</translation>
    </message>
    <message>
        <source>Import: {0} added, {1} refreshed, {2} missing, {3} problems</source>
        <translation>インポート: 追加 {0}・更新 {1}・見つからない {2}・問題 {3}</translation>
    </message>
    <message>
        <source>Re-importing</source>
        <translation>再インポート中</translation>
    </message>
    <message>
        <source>Import masks from folder</source>
        <translation>フォルダーからマスクをインポート</translation>
    </message>
    <message>
        <source>Importing masks from {0}</source>
        <translation>{0} からマスクをインポート中</translation>
    </message>
    <message>
        <source>Masks: {0} imported from {1} files, {2} refreshed, {3} unchanged, {4} conflicts, {5} problems</source>
        <translation>マスク: {1} ファイルから {0} 件インポート・更新 {2}・変更なし {3}・競合 {4}・問題 {5}</translation>
    </message>
    <message>
        <source> · {0} new images</source>
        <translation> · 新しい画像 {0} 枚</translation>
    </message>
    <message>
        <source>Mask import</source>
        <translation>マスクのインポート</translation>
    </message>
    <message>
        <source>Annotations ({0}): {1} boxes and {2} masks on {3} images from {4} files, {5} refreshed, {6} conflicts, {7} problems</source>
        <translation>アノテーション（{0}）: {4} ファイルから画像 {3} 枚にボックス {1} 個とマスク {2} 個・更新 {5}・競合 {6}・問題 {7}</translation>
    </message>
    <message>
        <source>Import annotations</source>
        <translation>アノテーションのインポート</translation>
    </message>
    <message>
        <source>Importing annotations from {0}</source>
        <translation>{0} からアノテーションをインポート中</translation>
    </message>
    <message>
        <source>Generating the demo project</source>
        <translation>デモプロジェクトを作成中</translation>
    </message>
    <message>
        <source>Exporting</source>
        <translation>エクスポート中</translation>
    </message>
    <message>
        <source>Nothing exported</source>
        <translation>何もエクスポートされませんでした</translation>
    </message>
    <message>
        <source>no usable image could be written</source>
        <translation>書き出せる画像がありませんでした</translation>
    </message>
    <message>
        <source>Nothing was exported: {0}.</source>
        <translation>何もエクスポートされませんでした: {0}。</translation>
    </message>
    <message>
        <source>{0}: {1} crops from {2} images written into {3}</source>
        <translation>{0}: {2} 枚の画像から切り出した {1} 枚を {3} に書き出しました</translation>
    </message>
    <message>
        <source>{0}: {2} images, {1} objects written into {3}</source>
        <translation>{0}: 画像 {2} 枚、オブジェクト {1} 個を {3} に書き出しました</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <source>… and {0} more</source>
        <translation>…ほか {0} 件</translation>
    </message>
    <message>
        <source>{0} is still running: try again when it has finished</source>
        <translation>{0} はまだ実行中です。終わってからもう一度実行してください</translation>
    </message>
</context>
<context>
    <name>PropertiesPanel</name>
    <message>
        <source>no class</source>
        <translation>クラスなし</translation>
    </message>
    <message>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>no split</source>
        <translation>分割なし</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>確認済み</translation>
    </message>
    <message>
        <source>Excluded from training and export</source>
        <translation>学習とエクスポートから除外</translation>
    </message>
    <message>
        <source>Overlay</source>
        <translation>オーバーレイ</translation>
    </message>
    <message>
        <source>Equalised view (faint early masks)</source>
        <translation>平坦化表示（学習初期の薄いマスク向け）</translation>
    </message>
    <message>
        <source>Histogram-equalised before the threshold; Accept stores what is shown</source>
        <translation>しきい値の前にヒストグラムを平坦化します。承認すると表示どおりに保存されます</translation>
    </message>
    <message>
        <source>Accept mask</source>
        <translation>マスクを承認</translation>
    </message>
    <message>
        <source>Store the proposal as shown, binarised at the threshold (Shift+Enter)</source>
        <translation>提案を表示どおりに、しきい値で二値化して保存 (Shift+Enter)</translation>
    </message>
    <message>
        <source>Reject mask</source>
        <translation>マスクを却下</translation>
    </message>
    <message>
        <source>Shift+X</source>
        <translation>Shift+X</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>分割</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>オブジェクト</translation>
    </message>
    <message>
        <source>{0} × {1}, {2} ch, {3} B</source>
        <translation>{0} × {1}、{2} ch、{3} B</translation>
    </message>
    <message>
        <source>file missing on disk</source>
        <translation>ディスク上にファイルがありません</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>保留中</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>却下</translation>
    </message>
    <message>
        <source>Keys: {0}</source>
        <translation>キー: {0}</translation>
    </message>
    <message>
        <source>Digit keys on the image set the class: {0}</source>
        <translation>画像上で数字キーを押すとクラスが設定されます: {0}</translation>
    </message>
    <message>
        <source>Not saved: {0}</source>
        <translation>保存されていません: {0}</translation>
    </message>
</context>
<context>
    <name>ReviewFlow</name>
    <message>
        <source>Proposing masks</source>
        <translation>マスクを提案中</translation>
    </message>
    <message>
        <source>Proposing boxes</source>
        <translation>ボックスを提案中</translation>
    </message>
    <message>
        <source>Mask proposals from the U-Net on {0} of {1} images: Shift+Enter accepts, Shift+X rejects, the brush corrects. N: next image with proposals.</source>
        <translation>U-Net によるマスクの提案を {1} 枚中 {0} 枚の画像に作成しました: Shift+Enter で承認、Shift+X で却下、ブラシで修正。N: 提案のある次の画像。</translation>
    </message>
    <message>
        <source>the detector</source>
        <translation>検出器</translation>
    </message>
    <message>
        <source>Grad-CAM</source>
        <translation>Grad-CAM</translation>
    </message>
    <message>
        <source>{0} without: e.g. {1}: {2}</source>
        <translation>提案なし {0} 枚: 例 {1}: {2}</translation>
    </message>
    <message>
        <source>{0} proposals on {1} of {2} images, from {3}</source>
        <translation>{2} 枚中 {1} 枚の画像に提案 {0} 件（{3} による）</translation>
    </message>
    <message>
        <source>{0} images from {1}, where {2} found nothing</source>
        <translation>{2} が何も見つけなかった {0} 枚は {1} による</translation>
    </message>
    <message>
        <source>pending proposals kept on {0} images</source>
        <translation>{0} 枚の画像で保留中の提案を残しました</translation>
    </message>
    <message>
        <source>N: next image with proposals</source>
        <translation>N: 提案のある次の画像</translation>
    </message>
    <message>
        <source>(F1 {0:.2f} against {1}&apos;s {2:.2f} on {3} reviewed images the detector did not train on)</source>
        <translation>（F1 {0:.2f}、{1} は {2:.2f}。検出器が学習していないレビュー済み画像 {3} 枚で測定）</translation>
    </message>
    <message>
        <source>(not compared with {0} yet: no reviewed image the detector did not train on)</source>
        <translation>（{0} とはまだ比較していません: 検出器が学習していないレビュー済み画像がありません）</translation>
    </message>
    <message>
        <source>Calibrating proposals</source>
        <translation>提案を調整中</translation>
    </message>
    <message>
        <source>The next proposals use threshold {0:.2f}, padding {1:.2f}, layer {2}.</source>
        <translation>次回からの提案は しきい値 {0:.2f}、余白 {1:.2f}、層 {2} を使います。</translation>
    </message>
    <message>
        <source>The next proposals keep detections scoring {0:.2f} or more.</source>
        <translation>次回からの提案はスコア {0:.2f} 以上の検出を残します。</translation>
    </message>
    <message>
        <source>your seconds per box, lower is better</source>
        <translation>ボックス 1 個あたりの作業秒数（少ないほど良い）</translation>
    </message>
    <message>
        <source>mean best IoU</source>
        <translation>平均最良 IoU</translation>
    </message>
    <message>
        <source>Measured on {0} reviewed images the detector did not train on.</source>
        <translation>検出器が学習していないレビュー済み画像 {0} 枚で測定しました。</translation>
    </message>
    <message>
        <source>Measured on {0} reviewed images, some of which the detector trained on: the figures lean optimistic.</source>
        <translation>レビュー済み画像 {0} 枚で測定しました。一部は検出器が学習した画像なので、数値は楽観的です。</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>調整</translation>
    </message>
    <message>
        <source>Proposals against your reviewed boxes ({0}): {1:.3f} before, {2:.3f} after (cross-validated).</source>
        <translation>レビュー済みボックスに対する提案の精度（{0}）: 調整前 {1:.3f}、調整後 {2:.3f}（交差検証）。</translation>
    </message>
    <message>
        <source>No image with pending proposals after this one</source>
        <translation>この後に保留中の提案のある画像はありません</translation>
    </message>
    <message>
        <source>No other image to review in the list</source>
        <translation>一覧にはほかにレビューする画像がありません</translation>
    </message>
    <message>
        <source>accept {0} proposals</source>
        <translation>提案 {0} 件を承認</translation>
    </message>
    <message>
        <source>{0} proposals accepted</source>
        <translation>提案 {0} 件を承認しました</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>Drag on empty space</source>
        <extracomment>What the canvas does with the mouse and with keys that are not actions (the F1 sheet lists these after every action&apos;s keys). Marked for translation; translated where shown.</extracomment>
        <translation>何もない所をドラッグ</translation>
    </message>
    <message>
        <source>draw a box</source>
        <translation>ボックスを描く</translation>
    </message>
    <message>
        <source>Drag a corner / an edge</source>
        <translation>角 / 辺をドラッグ</translation>
    </message>
    <message>
        <source>resize that corner / only that edge</source>
        <translation>その角 / その辺だけを動かしてサイズを変える</translation>
    </message>
    <message>
        <source>Drag inside a box</source>
        <translation>ボックスの内側をドラッグ</translation>
    </message>
    <message>
        <source>move it</source>
        <translation>ボックスを移動</translation>
    </message>
    <message>
        <source>Drag a proposal</source>
        <translation>提案をドラッグ</translation>
    </message>
    <message>
        <source>correct it (it becomes accepted, marked edited)</source>
        <translation>提案を修正（承認済みになり、修正済みの印が付く）</translation>
    </message>
    <message>
        <source>Arrows</source>
        <translation>矢印キー</translation>
    </message>
    <message>
        <source>move the selected box by 1 px</source>
        <translation>選択したボックスを 1 px 移動</translation>
    </message>
    <message>
        <source>Shift+Arrows</source>
        <translation>Shift+矢印キー</translation>
    </message>
    <message>
        <source>move its right / bottom edge</source>
        <translation>右 / 下の辺を移動</translation>
    </message>
    <message>
        <source>Alt+Arrows</source>
        <translation>Alt+矢印キー</translation>
    </message>
    <message>
        <source>move its left / top edge</source>
        <translation>左 / 上の辺を移動</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Space</translation>
    </message>
    <message>
        <source>mark verified, keeping its pending proposals, and go to the next image</source>
        <translation>保留中の提案を承認して確認済みにし、次の画像へ</translation>
    </message>
    <message>
        <source>Shift+Space</source>
        <translation>Shift+Space</translation>
    </message>
    <message>
        <source>mark verified, rejecting its pending proposals, and go to the next image</source>
        <translation>保留中の提案を却下して確認済みにし、次の画像へ</translation>
    </message>
    <message>
        <source>Wheel</source>
        <translation>ホイール</translation>
    </message>
    <message>
        <source>zoom around the cursor</source>
        <translation>カーソル位置を中心に拡大・縮小</translation>
    </message>
    <message>
        <source>Middle drag, Space+drag</source>
        <translation>中ボタンでドラッグ、Space+ドラッグ</translation>
    </message>
    <message>
        <source>pan</source>
        <translation>表示位置を移動</translation>
    </message>
    <message>
        <source>Drag (brush B / eraser E)</source>
        <translation>ドラッグ（ブラシ B / 消しゴム E）</translation>
    </message>
    <message>
        <source>paint / erase the mask of the label in the panel; one undo step per stroke</source>
        <translation>パネルで選んだラベルのマスクを塗る / 消す。1 ストロークごとに元に戻せます</translation>
    </message>
    <message>
        <source>Click (polygon P)</source>
        <translation>クリック（ポリゴン P）</translation>
    </message>
    <message>
        <source>add a vertex</source>
        <translation>頂点を追加</translation>
    </message>
    <message>
        <source>Enter, double click / Backspace (polygon)</source>
        <translation>Enter、ダブルクリック / Backspace（ポリゴン）</translation>
    </message>
    <message>
        <source>close and fill the polygon / remove its last vertex</source>
        <translation>ポリゴンを閉じて塗りつぶす / 最後の頂点を削除</translation>
    </message>
    <message>
        <source>Drag a box (box to mask C)</source>
        <translation>ボックスをドラッグ（ボックスからマスク C）</translation>
    </message>
    <message>
        <source>GrabCut finds the object in it and adds it to the mask</source>
        <translation>GrabCut がその中の物体を見つけてマスクに加える</translation>
    </message>
    <message>
        <source>Drag / right drag inside that box</source>
        <translation>そのボックス内をドラッグ / 右ドラッグ</translation>
    </message>
    <message>
        <source>mark foreground / background: GrabCut runs again</source>
        <translation>前景 / 背景を指定: GrabCut が再実行される</translation>
    </message>
    <message>
        <source>Esc (mask tools)</source>
        <translation>Esc（マスクツール）</translation>
    </message>
    <message>
        <source>cancel the open polygon or the GrabCut box, else back to boxes</source>
        <translation>描きかけのポリゴンか GrabCut のボックスを取り消す。なければボックス編集に戻る</translation>
    </message>
    <message>
        <source>Enter in a field</source>
        <translation>入力欄で Enter</translation>
    </message>
    <message>
        <source>save every field of the panel</source>
        <translation>パネルのすべての入力欄を保存</translation>
    </message>
    <message>
        <source>Enter, X, Delete, L / right click in the Objects list</source>
        <translation>Objects リストで Enter、X、Delete、L / 右クリック</translation>
    </message>
    <message>
        <source>accept, reject, delete, relabel the box of that row / a menu of them</source>
        <translation>その行のボックスを承認、却下、削除、ラベル変更 / それらのメニュー</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>キーボードショートカット</translation>
    </message>
    <message>
        <source>Boxes: solid = accepted; ✎ = accepted after a correction; dashed with an amber tag and &apos;?&apos; = pending proposal; grey dotted ✗ = rejected (View → Show rejected proposals). Masks: in the label&apos;s colour; a proposed mask in green; ✎ = corrected.</source>
        <translation>ボックス: 実線 = 承認済み、✎ = 修正して承認、破線で黄色のタグと「?」= 保留中の提案、灰色の点線で ✗ = 却下（表示 → 却下した提案を表示）。マスク: ラベルの色、提案されたマスクは緑、✎ = 修正済み。</translation>
    </message>
    <message>
        <source>Every edit is saved at once; undo is unlimited. Single keys act while the image has the focus (click it).</source>
        <translation>編集はすべてその場で保存され、元に戻すのは無制限です。1 文字のキーは画像にフォーカスがあるときに使えます（画像をクリックしてください）。</translation>
    </message>
</context>
<context>
    <name>SideInfo</name>
    <message>
        <source>suggested keeper</source>
        <translation>残す候補</translation>
    </message>
    <message>
        <source>excluded</source>
        <translation>除外</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>確認済み</translation>
    </message>
    <message>
        <source>{0} masks</source>
        <translation>マスク {0} 個</translation>
    </message>
    <message>
        <source>&lt;b&gt;{0}&lt;/b&gt;&lt;br&gt;{1} × {2} px · {3:,} B · modified {4}&lt;br&gt;class &lt;b&gt;{5}&lt;/b&gt; · split &lt;b&gt;{6}&lt;/b&gt; · {7} boxes ({8})</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;&lt;br&gt;{1} × {2} px · {3:,} B · 更新日時 {4}&lt;br&gt;クラス &lt;b&gt;{5}&lt;/b&gt; · 分割 &lt;b&gt;{6}&lt;/b&gt; · ボックス {7} 個（{8}）</translation>
    </message>
</context>
<context>
    <name>SnapshotStrips</name>
    <message>
        <source>Epoch {0}: equalised probabilities | binarised at {1}</source>
        <translation>エポック {0}: 平坦化した確率 | {1} で二値化</translation>
    </message>
    <message>
        <source> (best {0})</source>
        <translation>（最高 {0}）</translation>
    </message>
    <message>
        <source>{0}: {1} boxes</source>
        <translation>{0}: ボックス {1} 個</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>&lt;h2&gt;labelstudio-desktop&lt;/h2&gt;Clean, annotate, train on and export image datasets.</source>
        <translation>&lt;h2&gt;labelstudio-desktop&lt;/h2&gt;画像データセットの整理、アノテーション、学習、エクスポートを行います。</translation>
    </message>
    <message>
        <source>Open a folder of images…</source>
        <translation>画像フォルダーを開く…</translation>
    </message>
    <message>
        <source>Open the demo project</source>
        <translation>デモプロジェクトを開く</translation>
    </message>
    <message>
        <source>Recent projects</source>
        <translation>最近のプロジェクト</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>flip ↔</source>
        <translation>左右反転 ↔</translation>
    </message>
    <message>
        <source>flip ↕</source>
        <translation>上下反転 ↕</translation>
    </message>
    <message>
        <source>shift</source>
        <translation>平行移動</translation>
    </message>
    <message>
        <source>rotate</source>
        <translation>回転</translation>
    </message>
    <message>
        <source>zoom</source>
        <translation>ズーム</translation>
    </message>
    <message>
        <source>brightness</source>
        <translation>明るさ</translation>
    </message>
    <message>
        <source>random erasing</source>
        <translation>Random Erasing</translation>
    </message>
    <message>
        <source>A box detector trained on the reviewed boxes</source>
        <extracomment>The command line&apos;s values of --backbone and --balance, shown as they are typed there (names, not words).</extracomment>
        <translation>レビュー済みのボックスで学習するボックス検出器</translation>
    </message>
    <message>
        <source>never</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Store predictions on a few images every K epochs</source>
        <translation>K エポックごとに数枚の画像の予測を保存</translation>
    </message>
    <message>
        <source>The epochs a run does: with few images an epoch is a few batches, so a task that needs a minimum of batches runs more epochs than asked</source>
        <translation>1 回の実行で行うエポック数: 画像が少ないと 1 エポックは数バッチしかないため、最低バッチ数が必要なタスクは指定より多くのエポックを実行します</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>タスク</translation>
    </message>
    <message>
        <source>Backbone</source>
        <translation>バックボーン</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>重み</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>エポック数</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>バッチサイズ</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>クラスバランス</translation>
    </message>
    <message>
        <source>Snapshots every</source>
        <translation>スナップショット間隔</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Preview augmentation</source>
        <translation>データ拡張をプレビュー</translation>
    </message>
    <message>
        <source>Time left, from the measured epochs once one has finished</source>
        <translation>残り時間（最初のエポックが終わった後、実測から計算）</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>実行</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Best val_loss</source>
        <translation>最良の val_loss</translation>
    </message>
    <message>
        <source>From</source>
        <translation>元の実行</translation>
    </message>
    <message>
        <source>Resume (+epochs)</source>
        <translation>再開（エポック追加）</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>評価</translation>
    </message>
    <message>
        <source>Export misses…</source>
        <translation>誤分類をエクスポート…</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>データ拡張</translation>
    </message>
    <message>
        <source>Predictions during training (one strip per image)</source>
        <translation>学習中の予測（画像ごとに 1 列）</translation>
    </message>
    <message>
        <source>Misclassified (click to open)</source>
        <translation>誤分類（クリックで開く）</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>実行履歴</translation>
    </message>
    <message>
        <source>Accepted boxes in train images: </source>
        <translation>学習用画像の承認済みボックス: </translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>まだありません</translation>
    </message>
    <message>
        <source>mobilenetv2: pretrained features, the default; small: each task&apos;s own network from scratch (small CNN, plain U-Net, ResNet-style regressor)</source>
        <translation>mobilenetv2: 事前学習済みの特徴（既定）。small: タスクごとのネットワークをゼロから学習（小さな CNN、通常の U-Net、ResNet 風の回帰モデル）</translation>
    </message>
    <message>
        <source>imagenet: for mobilenetv2 the weights shipped with the app, used offline (resnet50v2, vgg16: downloaded once, needs the internet); none: from scratch; or a local weights file</source>
        <translation>imagenet: mobilenetv2 ではアプリ同梱の重みをオフラインで使用（resnet50v2、vgg16 は初回のみダウンロード、インターネットが必要）。none: ゼロから学習。またはローカルの重みファイル</translation>
    </message>
    <message>
        <source>Accepted boxes (no split yet: training makes one): </source>
        <translation>承認済みボックス（まだ分割なし: 学習時に分割します）: </translation>
    </message>
    <message>
        <source>Train images per class: </source>
        <translation>クラスごとの学習用画像: </translation>
    </message>
    <message>
        <source>Images per class (no split yet: training makes one): </source>
        <translation>クラスごとの画像（まだ分割なし: 学習時に分割します）: </translation>
    </message>
    <message>
        <source>Train images: {0}</source>
        <translation>学習用画像: {0}</translation>
    </message>
    <message>
        <source>A new run: no training images yet</source>
        <translation>新しい実行: 学習用画像がまだありません</translation>
    </message>
    <message>
        <source>A new run: </source>
        <translation>新しい実行: </translation>
    </message>
    <message>
        <source>{0} epochs (batches per epoch: {1})</source>
        <translation>{0} エポック（1 エポックあたりのバッチ数: {1}）</translation>
    </message>
    <message>
        <source> ({0} passes over the training images each)</source>
        <translation>（1 エポックで学習画像を {0} 回たどります）</translation>
    </message>
    <message>
        <source> ({0} epochs asked, {1} batches: raised to at least {2} batches, since few images make short epochs)</source>
        <translation>（指定は {0} エポック・{1} バッチ: 画像が少なく 1 エポックが短いため、少なくとも {2} バッチに増やしました）</translation>
    </message>
    <message>
        <source>run {0}</source>
        <translation>実行 {0}</translation>
    </message>
    <message>
        <source>starting TensorFlow…</source>
        <translation>TensorFlow を起動中…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Retrain</source>
        <translation>再学習</translation>
    </message>
    <message>
        <source>Cannot retrain: {0}</source>
        <translation>再学習できません: {0}</translation>
    </message>
    <message>
        <source>Train a model first.</source>
        <translation>先にモデルを学習してください。</translation>
    </message>
    <message>
        <source>Values of the run that cannot be used were replaced: {0}</source>
        <translation>使えない実行の値を置き換えました: {0}</translation>
    </message>
    <message>
        <source>This run: </source>
        <translation>この実行: </translation>
    </message>
    <message>
        <source>at least {0}</source>
        <translation>少なくとも {0}</translation>
    </message>
    <message>
        <source>{0} s left</source>
        <translation>残り {0} 秒</translation>
    </message>
    <message>
        <source>{0} min {1:02d} s left</source>
        <translation>残り {0} 分 {1:02d} 秒</translation>
    </message>
    <message>
        <source>{0} h {1:02d} min left</source>
        <translation>残り {0} 時間 {1:02d} 分</translation>
    </message>
    <message>
        <source>Run {0}: {1} after {2} epochs</source>
        <translation>実行 {0}: {1}（{2} エポック）</translation>
    </message>
    <message>
        <source>The next proposals keep detections scoring {0:.2f} or more: run {1}&apos;s threshold, calibrated on the {2} reviewed images it did not train on.</source>
        <translation>次の提案はスコア {0:.2f} 以上の検出を残します: 実行 {1} のしきい値を、それが学習していないレビュー済み画像 {2} 枚で較正したものです。</translation>
    </message>
    <message>
        <source>The next proposals keep detections scoring {0:.2f} or more: run {1}&apos;s calibrated threshold.</source>
        <translation>次の提案はスコア {0:.2f} 以上の検出を残します: 実行 {1} の較正済みしきい値です。</translation>
    </message>
    <message>
        <source>run {0} → run {1}: </source>
        <translation>実行 {0} → 実行 {1}: </translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>評価中</translation>
    </message>
    <message>
        <source>Most errors first (click to open)</source>
        <translation>誤りの多い順（クリックで開く）</translation>
    </message>
    <message>
        <source>Copy misclassified images into</source>
        <translation>誤分類した画像のコピー先</translation>
    </message>
    <message>
        <source>{0} images copied to {1}</source>
        <translation>{0} 枚の画像を {1} にコピーしました</translation>
    </message>
</context>
</TS>
