/**
 * Poll serving and stored answers (docs/design.md §6 and 9): which chain a terminal is judged
 * against ({@code control.TargetChains}), the images' chains held in memory ({@code
 * control.ChainSnapshots}), the answer a reported list gets, its bytes and ETag, the answers held
 * in memory so that polls answer 304 without the database ({@code control.Strategies}), and the
 * stored answer itself: an assignment's current answer and its history ({@code
 * entity.StoredAnswer}, the one owner of the columns both tables share).
 */
package dev.voi.answers;
